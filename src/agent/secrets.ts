import { parseValueFrom, pickJsonKey, RESOURCE_INITIALIZATION, secretsFailure, type SecretRef, ValueFromError } from "../core/secrets/value-from.js";
import type { WharfClient } from "../contracts/wharf-client.js";

/**
 * Container `secrets[]` (ECS's "secrets as environment variables"): the agent fetches each value
 * with the task's execution role — SSM GetParameters WithDecryption, Secrets Manager
 * GetSecretValue — before any container of the task is created; the values go only into the
 * containers' environment (never into reports, logs or the metadata endpoint). A value that is
 * missing or that the role may not read fails the task with ECS's ResourceInitializationError.
 */

export class ResourceInitializationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = RESOURCE_INITIALIZATION;
  }
}

export interface SecretSpec {
  name: string;
  valueFrom: string;
}

const SSM = { prefix: "AmazonSSM", service: "ssm" };
const ASM = { prefix: "secretsmanager", service: "secretsmanager" };

async function fetchOne(client: WharfClient, ref: SecretRef, signal?: AbortSignal): Promise<string> {
  if (ref.source === "ssm") {
    let out: { Parameters?: { Value?: string }[]; InvalidParameters?: string[] };
    try {
      out = await client.callService({ ...SSM, region: ref.region }, "GetParameters", { Names: [ref.name], WithDecryption: true }, signal);
    } catch (err) {
      throw new ResourceInitializationError(secretsFailure(`unable to retrieve secrets from ssm: service call has been retried 1 time(s): ${(err as Error).message}`));
    }
    if (out.InvalidParameters?.length || !out.Parameters?.length) {
      throw new ResourceInitializationError(secretsFailure(`unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid parameters: ${ref.name}`));
    }
    return out.Parameters[0]!.Value ?? "";
  }
  let out: { SecretString?: string; SecretBinary?: string };
  try {
    out = await client.callService(
      { ...ASM, region: ref.region },
      "GetSecretValue",
      { SecretId: ref.secretId, ...(ref.versionStage ? { VersionStage: ref.versionStage } : {}), ...(ref.versionId ? { VersionId: ref.versionId } : {}) },
      signal,
    );
  } catch (err) {
    throw new ResourceInitializationError(
      secretsFailure(`unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref.secretId} from secrets manager: ${(err as Error).message}`),
    );
  }
  const text = out.SecretString ?? (out.SecretBinary !== undefined ? Buffer.from(out.SecretBinary, "base64").toString("utf8") : "");
  try {
    return pickJsonKey(text, ref);
  } catch (err) {
    throw new ResourceInitializationError(secretsFailure(`unable to retrieve secret from asm: ${(err as Error).message}`));
  }
}

/** The environment variables (`NAME=value`) of one container's secrets, fetched with `client` (the execution role's). */
export async function resolveSecrets(client: WharfClient, specs: SecretSpec[], taskRegion: string, signal?: AbortSignal): Promise<string[]> {
  const env: string[] = [];
  for (const s of specs) {
    let ref: SecretRef;
    try {
      ref = parseValueFrom(s.valueFrom, taskRegion);
    } catch (err) {
      if (err instanceof ValueFromError) throw new ResourceInitializationError(secretsFailure(err.message));
      throw err;
    }
    env.push(`${s.name}=${await fetchOne(client, ref, signal)}`);
  }
  return env;
}
