import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What an agent keeps across restarts: its registration. Task state is not kept here: it is
 * rebuilt from Docker's labels (containers outlive the agent) and the control plane's listing.
 */
export interface AgentState {
  endpoint: string;
  cluster: string;
  containerInstanceArn?: string;
  ec2InstanceId: string;
}

const FILE = "agent-state.json";

export function loadAgentState(dataDir: string): AgentState | undefined {
  const file = join(dataDir, FILE);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as AgentState;
  } catch {
    return undefined;
  }
}

/** Writes atomically (temp file + rename) so a kill -9 never leaves half a file. */
export function saveAgentState(dataDir: string, state: AgentState): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

/** An EC2-style instance id: `i-` and 17 hex digits. */
export const newEc2InstanceId = (): string => `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
