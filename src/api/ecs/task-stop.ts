import { epochSeconds } from "../../core/time.js";
import type { EcsDeps } from "./deps.js";
import { putTaskOp } from "./task-write.js";
import type { TaskDoc } from "./task-doc.js";
import { releaseTaskEni, withEniStatus } from "./task-network.js";

/**
 * Sets a task's desired status to STOPPED (StopTask, forced deregistration) and tells its
 * instance's agent at once. A task no agent ever picked up (still PROVISIONING) on an
 * instance whose agent is gone is finished here, since nobody else would report it stopped.
 * Returns the task as it now is, or undefined when it does not exist.
 */
export async function markDesiredStopped(
  deps: EcsDeps,
  taskArn: string,
  reason: string,
  stopCode: string | undefined,
): Promise<TaskDoc | undefined> {
  const result = await deps.lock(taskArn, async () => {
    const current = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
    if (!current || current.desiredStatus === "STOPPED" || current.lastStatus === "STOPPED") return { doc: current, changed: false };
    const now = epochSeconds(deps.clock.now());
    let doc: TaskDoc = {
      ...current,
      desiredStatus: "STOPPED",
      stoppedReason: reason,
      ...(stopCode ? { stopCode } : {}),
      stoppingAt: current.stoppingAt ?? now,
      version: current.version + 1,
    };
    const orphaned =
      current.lastStatus === "PROVISIONING" &&
      !(current.containerInstanceArn && deps.agents?.connected(current.containerInstanceArn));
    if (orphaned) {
      doc = {
        ...doc,
        lastStatus: "STOPPED",
        executionStoppedAt: now,
        stoppedAt: now,
        containers: doc.containers.map((c) => ({ ...c, lastStatus: "STOPPED" })),
      };
      doc = withEniStatus(doc);
    }
    await deps.store.write([putTaskOp(doc)]);
    return { doc, changed: true };
  });
  if (result.changed && result.doc?.containerInstanceArn) deps.agents?.bump(result.doc.containerInstanceArn);
  if (result.changed) await releaseTaskEni(deps, result.doc);
  return result.doc;
}
