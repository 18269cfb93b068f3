import type { Clock } from "../../core/time.js";
import type { QueryService } from "../../edge/service.js";
import { keyedLock } from "../../store/keyed-lock.js";
import type { Store } from "../../store/store.js";
import { stsService } from "../sts/index.js";
import { type AssumedRole, assumeRoleForService, pruneSessions, roleTrusts } from "../sts/sessions.js";
import { IamDirectory } from "./directory.js";
import { iamService } from "./index.js";
import { IamIdentities } from "./resolver.js";
import { loadSecretBox } from "./secret-box.js";

export interface IamRuntime {
  dir: IamDirectory;
  identities: IamIdentities;
  /**
   * The edge's RoleDirectory (h/authz): true when the role exists and its trust policy lets the
   * service principal assume it, false when it exists and does not, undefined when there is no such role.
   */
  roles: { trusts(roleArn: string, servicePrincipal: string): boolean | undefined };
  services: QueryService[];
  /** Role credentials for a service principal (ecs-tasks.amazonaws.com), no caller signing. */
  assumeRoleForService(roleArn: string, service: string, sessionName: string, durationS?: number): Promise<AssumedRole>;
  /** Deletes expired sessions now; returns how many. */
  pruneNow(): Promise<number>;
  stop(): Promise<void>;
}

/** How often expired STS sessions are deleted (they stop resolving the moment they expire). */
export const SESSION_PRUNE_INTERVAL_MS = 60_000;

/**
 * IAM and STS for a server: the directory loaded from the store, secrets sealed with the key in
 * `<dataDir>/iam.key` (memory when no dataDir), the two Query services, the identity resolver, and
 * a sweeper pruning expired sessions.
 */
export async function startIam(opts: {
  store: Store;
  dataDir?: string;
  accountId: string;
  clock: Clock;
  log?: (line: Record<string, unknown>) => void;
  /** How expired sessions resolve (resolver.ts): "answer" once the edge checks `expiresAt` itself. */
  expiredSessions?: "hide" | "answer";
}): Promise<IamRuntime> {
  const dir = await IamDirectory.load(opts.store, loadSecretBox(opts.dataDir), opts.accountId, opts.clock, keyedLock());
  let pruning: Promise<number> | undefined;
  const pruneNow = () =>
    (pruning ??= pruneSessions(dir)
      .catch((err: unknown) => {
        opts.log?.({ level: "warn", msg: "pruning expired STS sessions failed", err: String(err) });
        return 0;
      })
      .finally(() => (pruning = undefined)));
  const identities = new IamIdentities(dir, () => void pruneNow(), opts.expiredSessions ?? "hide");
  const timer = setInterval(() => void pruneNow(), SESSION_PRUNE_INTERVAL_MS);
  timer.unref();
  const deps = { dir };
  return {
    dir,
    identities,
    services: [iamService(deps), stsService(deps)],
    roles: { trusts: (roleArn, servicePrincipal) => roleTrusts(dir, roleArn, servicePrincipal) },
    assumeRoleForService: (roleArn, service, sessionName, durationS) => assumeRoleForService(dir, roleArn, service, sessionName, durationS),
    pruneNow,
    async stop() {
      clearInterval(timer);
      await pruning;
    },
  };
}
