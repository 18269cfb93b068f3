import { epochSeconds } from "../../core/time.js";
import type { EcsDeps } from "./deps.js";
import { putTaskOp } from "./task-write.js";
import type { TaskDoc } from "../../records/task-doc.js";
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
  await leaveRegistries(deps, taskArn);
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
  if (result.changed) {
    // A controller pass that read the task before the stop may have registered it meanwhile.
    await leaveRegistries(deps, taskArn);
    await releaseTaskEni(deps, result.doc);
  }
  return result.doc;
}

/** The task's Cloud Map instances leave before it stops (deps.beforeTaskStop); errors are left to the controller. */
async function leaveRegistries(deps: EcsDeps, taskArn: string): Promise<void> {
  if (!deps.beforeTaskStop) return;
  const current = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
  if (!current || current.lastStatus === "STOPPED") return;
  await deps.beforeTaskStop(current).catch(() => undefined);
}

/**
 * The scheduler stops a task whose load balancer targets are draining: desired STOPPED,
 * lastStatus DEACTIVATING, and the agent still told RUNNING (`wharf.holdRunning`) so in-flight
 * requests finish. `releaseHeld` lets the agent stop it once the targets are gone. A task that is
 * not RUNNING any more is stopped at once instead.
 */
export async function markDeactivating(deps: EcsDeps, taskArn: string, reason: string, stopCode: string): Promise<void> {
  await leaveRegistries(deps, taskArn);
  const held = await deps.lock(taskArn, async () => {
    const current = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
    if (!current || current.desiredStatus === "STOPPED" || current.lastStatus === "STOPPED") return true;
    if (current.lastStatus !== "RUNNING") return false;
    const now = epochSeconds(deps.clock.now());
    const doc: TaskDoc = {
      ...current,
      lastStatus: "DEACTIVATING",
      desiredStatus: "STOPPED",
      stoppedReason: reason,
      stopCode,
      stoppingAt: current.stoppingAt ?? now,
      version: current.version + 1,
      wharf: { ...current.wharf, holdRunning: true },
    };
    await deps.store.write([putTaskOp(doc)]);
    return true;
  });
  if (!held) await markDesiredStopped(deps, taskArn, reason, stopCode);
}

export async function releaseHeld(deps: EcsDeps, taskArn: string): Promise<void> {
  await deps.lock(taskArn, async () => {
    const current = (await deps.store.get<TaskDoc>("task", taskArn))?.value;
    if (!current?.wharf.holdRunning) return;
    const { holdRunning: _released, ...wharf } = current.wharf;
    await deps.store.write([putTaskOp({ ...current, version: current.version + 1, wharf })]);
  });
}
