import { secretsFailure } from "../../core/secrets/value-from.js";
import { usableExecutionRole } from "../../core/task-role.js";
import { ResourceInitializationError } from "../secrets.js";
import { type ContainerPlan } from "../container-config.js";
import { CannotCreateContainerError, CannotStartContainerError, daemonMessage } from "../docker/errors.js";
import { monitorsHealth } from "../health/monitor.js";
import { networkBindings } from "./bindings.js";
import { DEPENDENCY_FAILED_EXIT_CODE, type DependencyState, evaluateDependencies } from "./dependencies.js";
import { type ManagedContainer, setContainerStatus } from "./managed-container.js";
import { startOrder } from "./start-order.js";
import { AWSVPC_UNSUPPORTED, Closed, ESSENTIAL_EXITED } from "./task-context.js";
import type { TaskRun } from "./task-run.js";

/**
 * PENDING → pull → create → start in dependency order → RUNNING. A failure asks the task to
 * stop with the error as its reason (CannotPullContainerError, CannotCreateContainerError, …).
 */
export async function startTask(run: TaskRun): Promise<void> {
  const fresh = run.containers.filter((c) => !c.dockerId);
  try {
    if (run.plan.networkMode === "awsvpc" && !run.taskSetup) throw new CannotStartContainerError(AWSVPC_UNSUPPORTED);
    await run.taskSetup?.beforeCreate();
    run.check();
    if (fresh.length) {
      run.pullStartedAt = run.now() / 1000;
      run.enter("PENDING");
      await injectSecrets(run, fresh);
      await pullImages(run, fresh);
      run.pullStoppedAt = run.now() / 1000;
      await run.resources.prepare(run.plan);
      run.check();
      for (const c of fresh) {
        try {
          c.dockerId = await run.ctx.docker.createContainer(c.plan.dockerName, c.localImage ? { ...c.plan.body, Image: c.localImage } : c.plan.body);
          setContainerStatus(c, "CREATED");
        } catch (err) {
          throw failed(c, new CannotCreateContainerError(daemonMessage(err)));
        }
        run.check();
      }
    }
    await startInOrder(run);
    if (run.desired() !== "RUNNING") return;
    const reused: string[] = [];
    await Promise.all(
      run.containers
        .filter((c) => c.status === "RUNNING")
        .map(async (c) => {
          const info = await run.ctx.docker.inspectContainer(c.dockerId!).catch(() => undefined);
          c.bindings = networkBindings(run.plan.networkMode, c.plan, info, run.ctx.hostIp);
          // A MAC Wharf chose does not follow the address (network/neighbors.ts).
          if (c.plan.body.MacAddress) for (const n of Object.values(info?.NetworkSettings.Networks ?? {})) if (n.IPAddress) reused.push(n.IPAddress);
        }),
    );
    if (reused.length) await run.ctx.flushNeighbors?.(reused);
    run.check();
    run.enter("RUNNING");
  } catch (err) {
    if (err instanceof Closed || run.ctx.signal.aborted) throw err;
    const e = err as Error;
    run.requestStop(`${e.name}: ${e.message}`);
  }
}

/** Container `secrets[]` become environment variables, fetched before any container exists (ECS's resource initialization). */
async function injectSecrets(run: TaskRun, fresh: ManagedContainer[]): Promise<void> {
  const a = run.assignment;
  const defs = ((a.taskDefinition.containerDefinitions ?? []) as { name?: string; secrets?: { name: string; valueFrom: string }[] }[]).filter((d) => d.secrets?.length);
  if (!defs.length) return;
  const region = a.taskArn.split(":")[3]!;
  const as = usableExecutionRole(a.taskArn, a.taskDefinition, a.overrides) ? { taskArn: a.taskArn } : undefined;
  for (const c of fresh) {
    const specs = defs.find((d) => d.name === c.plan.name)?.secrets;
    if (!specs?.length) continue;
    if (!run.ctx.secrets) throw new ResourceInitializationError(secretsFailure("this agent cannot fetch secrets"));
    const env = await run.ctx.secrets(specs, region, as);
    // Secrets win over environment entries of the same name, as on ECS.
    const names = new Set(env.map((e) => e.slice(0, e.indexOf("="))));
    c.plan.body.Env = [...(c.plan.body.Env ?? []).filter((e) => !names.has(e.slice(0, e.indexOf("=")))), ...env];
    run.check();
  }
}

async function pullImages(run: TaskRun, fresh: ManagedContainer[]): Promise<void> {
  const images = [...new Set(fresh.map((c) => c.plan.image))];
  // ECS pulls private registry images with the task's execution role (when it is one of this account's).
  const a = run.assignment;
  const as = usableExecutionRole(a.taskArn, a.taskDefinition, a.overrides) ? { taskArn: a.taskArn } : undefined;
  await Promise.all(
    images.map((image) =>
      run.ctx.pull(image, as).then(
        (pulled) => {
          for (const c of fresh) {
            if (c.plan.image !== image) continue;
            if (pulled.digest) c.imageDigest = pulled.digest;
            if (pulled.localRef) c.localImage = pulled.localRef;
          }
        },
        (err: Error) => {
          for (const c of fresh) if (c.plan.image === image) c.reason = `${err.name}: ${err.message}`;
          throw err;
        },
      ),
    ),
  );
  run.check();
}

function failed(c: ManagedContainer, err: Error): Error {
  c.reason = `${err.name}: ${err.message}`;
  return err;
}

/**
 * Starts every created container once its dependsOn conditions (and links) hold, in
 * dependency order, independent ones without waiting on others; waits for container events
 * (exits, health) or a startTimeout deadline in between (see dependencies.ts). A condition
 * that can never hold stops that container (exit 143, CannotStartContainerError: dependency
 * graph: …), which stops the task when the container is essential.
 */
async function startInOrder(run: TaskRun): Promise<void> {
  const order = startOrder(run.plan.containers).map((p: ContainerPlan) => run.containers.find((x) => x.plan === p)!);
  for (;;) {
    let waiting = false;
    let progressed = false;
    let untilMs: number | undefined;
    for (const c of order) {
      if (run.desired() !== "RUNNING") return;
      if (c.status !== "CREATED") continue;
      const deps = [...c.plan.dependsOn, ...c.plan.linksTo.map((n) => ({ containerName: n, condition: "START" }))];
      const v = evaluateDependencies(c.plan.name, deps, dependencyStates(run), run.now());
      if (v.kind === "wait") {
        waiting = true;
        if (v.untilMs !== undefined) untilMs = Math.min(untilMs ?? Infinity, v.untilMs);
        continue;
      }
      progressed = true;
      if (v.kind === "fail") {
        setContainerStatus(c, "STOPPED");
        c.exitCode = DEPENDENCY_FAILED_EXIT_CODE;
        c.reason = `CannotStartContainerError: ${v.reason}`;
        if (c.plan.essential) run.requestStop(ESSENTIAL_EXITED);
        continue;
      }
      try {
        await run.ctx.docker.startContainer(c.dockerId!);
      } catch (err) {
        throw failed(c, new CannotStartContainerError(daemonMessage(err)));
      }
      run.check();
      setContainerStatus(c, "RUNNING");
      c.startedAtMs ??= run.now();
      if (monitorsHealth(c.plan.body)) c.health ??= "UNKNOWN";
      run.watch(c);
    }
    if (!waiting || run.desired() !== "RUNNING") return;
    if (progressed) await run.drainInbox();
    else await run.nextEvents(untilMs);
  }
}

function dependencyStates(run: TaskRun): Map<string, DependencyState> {
  return new Map(
    run.containers.map((c) => [
      c.plan.name,
      {
        status: c.status,
        exitCode: c.exitCode,
        health: c.health,
        startedAtMs: c.startedAtMs,
        startTimeoutSec: run.resources.startTimeoutSec(c.plan.name),
      },
    ]),
  );
}
