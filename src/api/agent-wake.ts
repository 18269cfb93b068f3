import type { WriteOp } from "../store/store.js";

/**
 * Which agents a committed write concerns, read from the write itself (the store's write
 * observation, like the controllers' triggers), so no operation has to remember to wake them:
 * - a container instance written (registered, DRAINING, deregistered) → that instance;
 * - a task written on an instance that the agent must act on: new (PROVISIONING / PENDING),
 *   told to stop (desiredStatus STOPPED), or STOPPED (it leaves the instance's list).
 * A RUNNING task's own reports (health, container states) concern nobody: the agent sent them.
 */
export function instancesToWake(ops: readonly WriteOp[]): Set<string> {
  const out = new Set<string>();
  for (const op of ops) {
    if (op.op !== "put") continue;
    if (op.kind === "container-instance") out.add(op.id);
    else if (op.kind === "task") {
      const t = op.value as { containerInstanceArn?: string; lastStatus?: string; desiredStatus?: string };
      if (!t.containerInstanceArn) continue;
      if (t.desiredStatus === "STOPPED" || t.lastStatus === "STOPPED" || t.lastStatus === "PROVISIONING" || t.lastStatus === "PENDING") {
        out.add(t.containerInstanceArn);
      }
    }
  }
  return out;
}
