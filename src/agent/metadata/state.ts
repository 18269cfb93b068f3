import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { readJsonFile, writeJsonFileAtomic } from "../json-file.js";

/**
 * What the metadata endpoint keeps across agent restarts: its port and the secret its tokens
 * derive from. Both must survive: containers that outlive an agent keep the URI they were
 * given (`http://<gateway>:<port>/v4/<token>`), and the next agent must still answer it.
 */
export interface MetadataState {
  port: number;
  /** 32 random bytes, hex. */
  secret: string;
}

const FILE = "metadata-endpoint.json";

export function loadMetadataState(dataDir: string): MetadataState | undefined {
  const v = readJsonFile<Partial<MetadataState>>(join(dataDir, FILE));
  if (v && typeof v.port === "number" && typeof v.secret === "string" && /^[0-9a-f]{64}$/.test(v.secret)) return v as MetadataState;
  return undefined;
}

/** Written atomically with mode 0600: the secret lets anyone compute every container's token. */
export function saveMetadataState(dataDir: string, state: MetadataState): void {
  writeJsonFileAtomic(join(dataDir, FILE), state, { secret: true });
}

export const newMetadataSecret = (): string => randomBytes(32).toString("hex");

/**
 * A container's token: an HMAC of its task ARN and name under the agent's secret, shaped like
 * a UUID. Unguessable without the secret (128 bits), and the same after a restart, so adopted
 * containers keep working without the agent storing a token per container.
 */
export function containerToken(secret: string, taskArn: string, containerName: string): string {
  const h = createHmac("sha256", Buffer.from(secret, "hex")).update(`${taskArn}\n${containerName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
