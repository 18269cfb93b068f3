import type { Filter } from "./filter.js";

/**
 * Only ACTIVE instances take tasks. ECS does not list the others in failures (they are not
 * candidates), so their reason, STATUS, is only shown in explanations.
 */
export const STATUS_REASON = "STATUS";

export const statusFilter: Filter = {
  reason: STATUS_REASON,
  static: true,
  key: "status",
  test: (ix, s) => ix.status[s] === "ACTIVE",
  detail: (ix, s) => `instance is ${ix.status[s]}, not ACTIVE`,
};

/** An instance whose agent is disconnected cannot start anything: ECS reports AGENT. */
export const agentFilter: Filter = {
  reason: "AGENT",
  static: true,
  key: "agent",
  test: (ix, s) => ix.agentConnected[s] === 1,
  detail: () => "container agent is disconnected",
};
