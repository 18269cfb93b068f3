import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import { taskRoleOf } from "../../core/task-role.js";
import type { TaskPlan } from "../container-config.js";
import { CREDENTIALS_ENV, type MetadataEndpoint } from "../metadata/server.js";
import type { CredentialsRedirect, RedirectTarget } from "./redirect.js";
import type { TaskCredentials } from "./task-credentials.js";

/** What the agent serves task role credentials with (src/agent/agent.ts builds it). */
export interface CredentialsContext {
  store: TaskCredentials;
  /** The 169.254.170.2 redirect (absent: containers get the variable, SDKs cannot reach it). */
  redirect?: CredentialsRedirect;
  log?(line: Record<string, unknown>): void;
}

/** Longest a task's containers wait for its first credentials (they start anyway; the endpoint answers 503 until then). */
const FIRST_CREDENTIALS_WAIT_MS = 10_000;

/**
 * A task's part in task role credentials, for the task setup hook (network/task-setup.ts): at
 * planning, every container of a task with a role gets the credentials variable, and bridge
 * containers a MAC of their own (so the redirect can match their traffic before they start);
 * before the containers are created, the first credentials are fetched and the redirect rules
 * set; after removal both go. Tasks without a role get nothing (no variable, no rule).
 */
export function credentialsHook(c: CredentialsContext | undefined, metadata: MetadataEndpoint | undefined, a: TaskAssignment, plan: TaskPlan) {
  if (!c || !metadata || !taskRoleOf(a.taskDefinition, a.overrides)) return undefined;
  const mode = plan.networkMode;
  const targets: RedirectTarget[] = [];
  for (const ct of plan.containers) {
    const env = metadata.credentialsEnvFor(a.taskArn, mode);
    const own = (ct.body.Env ?? []).filter((kv) => !kv.startsWith(`${CREDENTIALS_ENV.relative}=`) && !kv.startsWith(`${CREDENTIALS_ENV.full}=`));
    ct.body.Env = [...own, ...env];
    if (mode === "bridge") {
      const mac = metadata.macFor(a.taskArn, ct.name);
      ct.body.MacAddress = mac;
      targets.push({ mac, toIp: metadata.bridgeGateway, toPort: metadata.port });
    }
  }
  if (mode === "awsvpc" && a.eni) targets.push({ mac: a.eni.macAddress, toIp: a.eni.subnetGatewayIpv4Address, toPort: metadata.port });
  return {
    async beforeCreate(): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      await Promise.all([
        Promise.race([c.store.track(a.taskArn), new Promise<void>((r) => (timer = setTimeout(r, FIRST_CREDENTIALS_WAIT_MS)))]),
        targets.length
          ? c.redirect?.set(a.taskArn, targets).catch((err: Error) => c.log?.({ level: "warn", msg: "credentials redirect not set; the task's SDKs cannot reach 169.254.170.2", taskArn: a.taskArn, error: err.message }))
          : undefined,
      ]);
      clearTimeout(timer);
    },
    async afterRemove(): Promise<void> {
      c.store.forget(a.taskArn);
      await c.redirect?.remove(a.taskArn);
    },
  };
}
