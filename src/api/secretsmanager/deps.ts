import type { Principal } from "../../core/arn.js";
import { markedForDeletion, notFound, parseSecretId, purged, type SecretDoc } from "../../core/secretsmanager/secrets.js";
import type { StoreDeps } from "../../records/store-deps.js";
import type { SecretBox } from "../iam/secret-box.js";

/** What Secrets Manager operations are given besides their input: values sealed in IAM's box (`<dataDir>/iam.key`), a random source for ARN suffixes, version ids and passwords. */
export interface SmDeps extends StoreDeps {
  box: SecretBox;
  /** Uniform in [0, 1); the server passes a cryptographic one (passwords come from it). */
  random: () => number;
}

/** Secrets are kind `sm-secret`, id `<account>:<region>:<name>`, scope `<account>:<region>`, sorted by name. */
export const SECRET_KIND = "sm-secret" as const;
export const secretScope = (accountId: string, region: string): string => `${accountId}:${region}`;
export const secretId = (accountId: string, region: string, name: string): string => `${accountId}:${region}:${name}`;
export const secretLock = (accountId: string, region: string, name: string): string => `sm:${secretId(accountId, region, name)}`;

const nowS = (deps: SmDeps) => deps.clock.now() / 1000;

export async function getDocByName(deps: SmDeps, p: Principal, name: string): Promise<SecretDoc | undefined> {
  const d = (await deps.store.get<SecretDoc>(SECRET_KIND, secretId(p.accountId, p.region, name)))?.value;
  // Past its recovery window a deleted secret is gone: removed on first sight.
  if (d && purged(d, nowS(deps))) {
    await deps.store.write([{ op: "delete", kind: SECRET_KIND, id: secretId(p.accountId, p.region, name) }]);
    return undefined;
  }
  return d;
}

/** The secret a SecretId names (name, full ARN or partial ARN), deleted ones included; undefined when none. */
export async function findSecret(deps: SmDeps, id: string, p: Principal): Promise<SecretDoc | undefined> {
  const ref = parseSecretId(id, p.accountId, p.region);
  if (ref.foreign) return undefined;
  if (ref.maybeSuffix) {
    const d = await getDocByName(deps, p, ref.maybeSuffix.name);
    if (d && d.suffix === ref.maybeSuffix.suffix) return d;
  }
  return getDocByName(deps, p, ref.name);
}

/** The secret, or ResourceNotFoundException. */
export async function requireSecret(deps: SmDeps, id: string, p: Principal): Promise<SecretDoc> {
  const d = await findSecret(deps, id, p);
  if (!d) throw notFound();
  return d;
}

/** The secret, not scheduled for deletion (InvalidRequestException otherwise). */
export async function requireLiveSecret(deps: SmDeps, id: string, p: Principal): Promise<SecretDoc> {
  const d = await requireSecret(deps, id, p);
  if (d.deletedDate !== undefined) throw markedForDeletion();
  return d;
}

export function putSecretDoc(deps: SmDeps, d: SecretDoc) {
  return deps.store.write([{ op: "put", kind: SECRET_KIND, id: secretId(d.accountId, d.region, d.name), scope: secretScope(d.accountId, d.region), sort: d.name, value: d }]);
}

/** Runs a read-modify-write of one secret under its lock: `change` gets the current document and returns the next (or throws). */
export async function updateSecret<T>(deps: SmDeps, id: string, p: Principal, change: (d: SecretDoc) => { doc: SecretDoc; out: T }, live = true): Promise<T> {
  const first = await requireSecret(deps, id, p);
  return deps.lock(secretLock(p.accountId, p.region, first.name), async () => {
    const d = live ? await requireLiveSecret(deps, id, p) : await requireSecret(deps, id, p);
    const r = change(d);
    await putSecretDoc(deps, r.doc);
    return r.out;
  });
}

export const secondsNow = nowS;
