import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { readJsonFile, writeJsonFileAtomic } from "./json-file.js";

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
  return readJsonFile<AgentState>(join(dataDir, FILE));
}

/** Writes atomically (temp file + rename) so a kill -9 never leaves half a file. */
export function saveAgentState(dataDir: string, state: AgentState): void {
  writeJsonFileAtomic(join(dataDir, FILE), state, { secret: true });
}

/** An EC2-style instance id: `i-` and 17 hex digits. */
export const newEc2InstanceId = (): string => `i-${randomBytes(9).toString("hex").slice(0, 17)}`;
