import type { Principal } from "../core/arn.js";
import type { SecretWatch } from "../core/secrets/rotation.js";
import type { Store, WriteOp } from "../store/store.js";

/**
 * What the secret-rotation controller keeps per opted-in service (kind `secret-watch`, id the
 * service ARN): the task definition and the secret versions its newest deployment started with.
 */
export const SECRET_WATCH_KIND = "secret-watch" as const;

export async function readSecretWatch(store: Store, serviceArn: string): Promise<SecretWatch | undefined> {
  return (await store.get<SecretWatch>(SECRET_WATCH_KIND, serviceArn))?.value;
}

export const putSecretWatchOp = (serviceArn: string, watch: SecretWatch): WriteOp => ({ op: "put", kind: SECRET_WATCH_KIND, id: serviceArn, value: watch });
export const deleteSecretWatchOp = (serviceArn: string): WriteOp => ({ op: "delete", kind: SECRET_WATCH_KIND, id: serviceArn });

/** The current version token of a `valueFrom` in the service's account and Region (src/api/secret-versions.ts). */
export interface SecretVersionPort {
  /** The store kinds whose writes may move a version (they wake the controller). */
  kinds: readonly string[];
  versionOf(valueFrom: string, owner: Principal): Promise<string>;
}
