import { CannotStopContainerError, daemonMessage } from "../docker/errors.js";
import { shutdownWaves } from "./dependencies.js";
import { absorbInspect, type ManagedContainer, setContainerStatus } from "./managed-container.js";
import type { TaskRun } from "./task-run.js";

/**
 * `docker stop -t <stopTimeout>` for every started container, dependents before their
 * dependencies (reverse startup order, one wave after another), then STOPPED with exit codes.
 * `beforeStopped` runs between the last container stopping and the STOPPED report.
 */
export async function stopTask(run: TaskRun, beforeStopped: () => Promise<void>): Promise<void> {
  for (const wave of shutdownWaves(run.containers.map((c) => ({ name: c.plan.name, dependsOn: c.plan.dependsOn, c })))) {
    await Promise.all(wave.map(({ c }) => stopContainer(run, c)));
  }
  run.check();
  await beforeStopped();
  run.check();
  for (const c of run.containers) setContainerStatus(c, "STOPPED");
  run.enter("STOPPED", run.now() / 1000);
}

async function stopContainer(run: TaskRun, c: ManagedContainer): Promise<void> {
  if (!c.dockerId || c.status === "STOPPED" || c.status === "NONE") return;
  const { docker } = run.ctx;
  try {
    if (c.status === "RUNNING") await docker.stopContainer(c.dockerId, c.plan.stopTimeoutSec);
  } catch (err) {
    c.reason ??= `CannotStopContainerError: ${new CannotStopContainerError(daemonMessage(err)).message}`;
    await docker.killContainer(c.dockerId).catch(() => undefined);
  }
  const info = await docker.inspectContainer(c.dockerId).catch(() => undefined);
  if (info) absorbInspect(c, info, { networkMode: run.plan.networkMode, hostIp: run.ctx.hostIp });
  setContainerStatus(c, "STOPPED");
}
