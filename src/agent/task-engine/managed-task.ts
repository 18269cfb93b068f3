import type { NetworkBinding } from "@aws-sdk/client-ecs";
import { type ContainerPlan, planTask, type TaskPlan, WHARF_LABELS } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import {
  CannotCreateContainerError,
  CannotStartContainerError,
  CannotStopContainerError,
  daemonMessage,
} from "../docker/errors.js";
import type { ContainerInspect } from "../docker/types.js";
import type { TaskAssignment } from "../protocol.js";
import { type HealthMonitor, healthOfInspect, monitorsHealth } from "../health/monitor.js";
import { networkBindings } from "./bindings.js";
import { DEPENDENCY_FAILED_EXIT_CODE, type DependencyState, evaluateDependencies, shutdownWaves } from "./dependencies.js";
import { TaskResources } from "./task-resources.js";
import { type ContainerReport, type Reporter, ReportQueue, type TaskStateReport } from "./reporter.js";
import { startOrder } from "./start-order.js";
import type { TaskSetup, TaskSetupFactory } from "../network/task-setup.js";

/** Task statuses the agent moves through; a task only ever moves forward in this order. */
export const TASK_STATUSES = ["NONE", "PENDING", "RUNNING", "STOPPED"] as const;
export type AgentTaskStatus = (typeof TASK_STATUSES)[number];

export const ESSENTIAL_EXITED = "Essential container in task exited";
export const AWSVPC_UNSUPPORTED = "awsvpc network mode is not supported by this agent yet";

/** What every task shares: the Engine, the reporter, the instance, the engine's lifetime. */
export interface TaskContext {
  docker: DockerClient;
  reporter: Reporter;
  containerInstanceArn: string;
  hostIp?: string;
  /** Aborted when the agent goes away: loops end, containers are left as they are. */
  signal: AbortSignal;
  /** Pulls with ECS's default behaviour (cached image on failure); throws CannotPullContainerError. */
  pull(image: string): Promise<void>;
  log(line: Record<string, unknown>): void;
  /** The agent's Docker health watcher (health checks, HEALTHY dependencies). */
  health?: HealthMonitor;
  /** Root of the EFS stand-in directories (src/agent/volumes/plan.ts). */
  efsRoot?: string;
  /** awsvpc network + metadata endpoint variables around each task (src/agent/network/task-setup.ts). */
  setup?: TaskSetupFactory;
}

type ContainerStatus = "NONE" | "CREATED" | "RUNNING" | "STOPPED";

interface ManagedContainer {
  plan: ContainerPlan;
  containerArn?: string;
  dockerId?: string;
  status: ContainerStatus;
  exitCode?: number;
  reason?: string;
  bindings: NetworkBinding[];
  /** Docker's health, mapped (containers with a health check only). */
  health?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  /** Epoch milliseconds of the start (dependsOn START, startTimeout, the reported startedAt). */
  startedAtMs?: number;
}

type TaskEvent =
  | { kind: "stop"; reason?: string }
  | { kind: "exit"; name: string }
  /** Re-read the named container's health (all of them when name is undefined). */
  | { kind: "health"; name?: string }
  /** A startTimeout deadline passed: re-evaluate dependencies. */
  | { kind: "tick" };

class Closed extends Error {}

const nowSec = () => Date.now() / 1000;
const NEVER_STARTED = "0001-01-01T00:00:00Z";

/**
 * One task, one serial loop: only `run()` mutates the task; the poll and container watchers
 * post events into its inbox. Desired status only moves RUNNING → STOPPED. Containers that
 * already exist (adopted after a restart) are neither recreated nor restarted.
 */
export class ManagedTask {
  readonly taskArn: string;
  status: AgentTaskStatus = "NONE";
  readonly done: Promise<void>;
  private desired: "RUNNING" | "STOPPED";
  private stopReason?: string;
  private readonly inbox: TaskEvent[] = [];
  private wake?: () => void;
  private readonly watchers = new AbortController();
  private readonly queue: ReportQueue;
  private plan!: TaskPlan;
  private containers: ManagedContainer[] = [];
  /** Epoch seconds (also read by the task metadata endpoint). */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  private taskSetup?: TaskSetup;
  private resources!: TaskResources;
  private unwatchHealth?: () => void;

  constructor(
    private readonly ctx: TaskContext,
    readonly assignment: TaskAssignment,
    /** Container name → Docker id of containers found carrying this task's labels. */
    private readonly adopted: Map<string, string> = new Map(),
  ) {
    this.taskArn = assignment.taskArn;
    this.desired = assignment.desiredStatus;
    if (this.desired === "STOPPED") this.stopReason = assignment.stoppedReason;
    ctx.signal.addEventListener("abort", () => {
      this.watchers.abort();
      this.wake?.();
    });
    this.queue = new ReportQueue(ctx.reporter, ctx.signal, ctx.log);
    this.done = this.run();
  }

  /** A newer assignment for this task: only a move to STOPPED matters. */
  update(a: TaskAssignment): void {
    if (a.desiredStatus === "STOPPED") this.post({ kind: "stop", reason: a.stoppedReason });
  }

  /** Asks the task to stop (e.g. the control plane no longer lists it). */
  stop(reason?: string): void {
    this.post({ kind: "stop", reason });
  }

  private post(ev: TaskEvent): void {
    this.inbox.push(ev);
    this.wake?.();
  }

  private check(): void {
    if (this.ctx.signal.aborted) throw new Closed();
  }

  private async run(): Promise<void> {
    try {
      await this.prepare();
      await this.drainInbox();
      if (this.desired === "RUNNING") await this.startAll();
      while (this.desired === "RUNNING") await this.nextEvents();
      await this.stopAll();
      await this.queue.drain();
      this.check();
      await this.taskSetup?.beforeRemove?.();
      await Promise.all(this.containers.map((c) => c.dockerId && this.ctx.docker.removeContainer(c.dockerId)));
      await this.taskSetup?.afterRemove();
      await this.resources.release();
    } catch (err) {
      if (err instanceof Closed || this.ctx.signal.aborted) return;
      this.ctx.log({ msg: "task loop failed", task: this.taskArn, error: (err as Error).message });
    } finally {
      this.watchers.abort();
      this.unwatchHealth?.();
    }
  }

  /** Plans the containers, reusing the names and ids of adopted ones and reading their state. */
  private async prepare(): Promise<void> {
    const inspected = new Map<string, ContainerInspect>();
    for (const [name, id] of this.adopted) {
      const info = await this.ctx.docker.inspectContainer(id).catch(() => undefined);
      this.check();
      if (info) inspected.set(name, info);
    }
    this.plan = planTask({
      taskArn: this.taskArn,
      clusterArn: this.assignment.clusterArn,
      containerInstanceArn: this.ctx.containerInstanceArn,
      hostIp: this.ctx.hostIp,
      taskDefinition: this.assignment.taskDefinition,
      overrides: this.assignment.overrides,
      containerArns: Object.fromEntries(this.assignment.containers.map((c) => [c.name, c.containerArn])),
      gpuIds: Object.fromEntries(this.assignment.containers.filter((c) => c.gpuIds?.length).map((c) => [c.name, c.gpuIds!])),
      dockerNames: Object.fromEntries([...inspected].map(([n, i]) => [n, i.Name.replace(/^\//, "")])),
    });
    this.taskSetup = this.ctx.setup?.({ assignment: this.assignment, plan: this.plan, adopted: this.adopted });
    this.resources = new TaskResources(
      {
        docker: this.ctx.docker,
        efsRoot: this.ctx.efsRoot,
        instanceLabels: { [WHARF_LABELS.instanceArn]: this.ctx.containerInstanceArn },
        log: this.ctx.log,
      },
      this.assignment,
    );
    if (this.plan.containers.some((p) => monitorsHealth(p.body))) {
      this.unwatchHealth = this.ctx.health?.watch(this.taskArn, (name) => this.post({ kind: "health", name }));
    }
    this.containers = this.plan.containers.map((plan) => {
      const c: ManagedContainer = {
        plan,
        containerArn: this.assignment.containers.find((x) => x.name === plan.name)?.containerArn,
        status: "NONE",
        bindings: [],
      };
      const info = inspected.get(plan.name);
      if (info) this.absorb(c, info);
      return c;
    });
    for (const c of this.containers) if (c.status === "RUNNING") this.watch(c);
    const essentialGone = this.containers.some((c) => c.plan.essential && c.status === "STOPPED");
    if (essentialGone && this.desired === "RUNNING") this.requestStop(ESSENTIAL_EXITED);
  }

  /** Folds a Docker inspect into a container's state. */
  private absorb(c: ManagedContainer, info: ContainerInspect): void {
    c.dockerId = info.Id;
    if (info.State.StartedAt && info.State.StartedAt !== NEVER_STARTED) c.startedAtMs ??= Date.parse(info.State.StartedAt);
    const s = info.State.Status;
    if (s === "running" || s === "paused" || s === "restarting") {
      c.status = "RUNNING";
      c.bindings = networkBindings(this.plan.networkMode, c.plan, info, this.ctx.hostIp);
      if (monitorsHealth(c.plan.body)) c.health = healthOfInspect(info);
    } else if (s === "created") {
      c.status = "CREATED";
    } else {
      c.status = "STOPPED";
      if (info.State.StartedAt !== NEVER_STARTED) c.exitCode = info.State.ExitCode;
      if (info.State.OOMKilled) c.reason ??= "OutOfMemoryError: Container killed due to memory usage";
    }
  }

  private requestStop(reason: string | undefined): void {
    if (this.desired === "RUNNING") {
      this.desired = "STOPPED";
      this.stopReason = reason;
    }
  }

  private drainInbox(): Promise<void> | void {
    const pending: Promise<void>[] = [];
    while (this.inbox.length) {
      const ev = this.inbox.shift()!;
      if (ev.kind === "stop") this.requestStop(ev.reason);
      else if (ev.kind === "exit") pending.push(this.onExit(ev.name));
      else if (ev.kind === "health") pending.push(this.onHealth(ev.name));
    }
    if (pending.length) return Promise.all(pending).then(() => undefined);
  }

  /** Waits for at least one event (or the time `untilMs`, epoch ms) and applies everything in the inbox. */
  private async nextEvents(untilMs?: number): Promise<void> {
    this.check();
    if (this.inbox.length === 0) {
      const timer = untilMs === undefined ? undefined : setTimeout(() => this.post({ kind: "tick" }), Math.max(0, untilMs - Date.now()));
      await new Promise<void>((resolve) => (this.wake = resolve));
      clearTimeout(timer);
      this.wake = undefined;
      this.check();
    }
    await this.drainInbox();
    this.check();
  }

  private async onExit(name: string): Promise<void> {
    const c = this.containers.find((x) => x.plan.name === name);
    if (!c || c.status === "STOPPED" || !c.dockerId) return;
    const info = await this.ctx.docker.inspectContainer(c.dockerId).catch(() => undefined);
    if (info) this.absorb(c, info);
    if ((c.status as ContainerStatus) !== "STOPPED") {
      if (info) return; // a stale event: it runs again (restarting)
      c.status = "STOPPED";
      c.reason ??= "CannotInspectContainerError: container vanished";
    }
    if (this.desired === "STOPPED" || this.status !== "RUNNING") {
      if (c.plan.essential) this.requestStop(ESSENTIAL_EXITED);
      return;
    }
    if (c.plan.essential) this.requestStop(ESSENTIAL_EXITED);
    else this.reportContainer(c);
  }

  /** Re-reads health from Docker and reports changes (the control plane derives the task's health). */
  private async onHealth(name: string | undefined): Promise<void> {
    for (const c of this.containers) {
      if ((name !== undefined && c.plan.name !== name) || c.status !== "RUNNING" || !c.dockerId || !monitorsHealth(c.plan.body)) continue;
      const info = await this.ctx.docker.inspectContainer(c.dockerId).catch(() => undefined);
      if (!info?.State.Running) continue;
      const health = healthOfInspect(info);
      if (health === c.health) continue;
      c.health = health;
      this.reportContainer(c);
    }
  }

  private watch(c: ManagedContainer): void {
    const id = c.dockerId!;
    const signal = this.watchers.signal;
    const loop = async () => {
      for (let attempt = 0; !signal.aborted; attempt++) {
        try {
          await this.ctx.docker.waitContainer(id, signal);
          return this.post({ kind: "exit", name: c.plan.name });
        } catch {
          if (signal.aborted) return;
          const info = await this.ctx.docker.inspectContainer(id).catch(() => undefined);
          if (!info || !info.State.Running) return this.post({ kind: "exit", name: c.plan.name });
          await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 5000)));
        }
      }
    };
    void loop();
  }

  /** PENDING → pull → create → start in dependency order → RUNNING. Failures stop the task. */
  private async startAll(): Promise<void> {
    const fresh = this.containers.filter((c) => !c.dockerId);
    try {
      if (this.plan.networkMode === "awsvpc" && !this.taskSetup) throw new CannotStartContainerError(AWSVPC_UNSUPPORTED);
      await this.taskSetup?.beforeCreate();
      this.check();
      if (fresh.length) {
        this.status = "PENDING";
        this.pullStartedAt = nowSec();
        this.reportTask("PENDING");
        await this.pullAll(fresh);
        this.pullStoppedAt = nowSec();
        await this.resources.prepare(this.plan);
        this.check();
        for (const c of fresh) {
          try {
            c.dockerId = await this.ctx.docker.createContainer(c.plan.dockerName, c.plan.body);
            c.status = "CREATED";
          } catch (err) {
            throw this.failed(c, new CannotCreateContainerError(daemonMessage(err)));
          }
          this.check();
        }
      }
      await this.startInOrder();
      if (this.desired !== "RUNNING") return;
      await Promise.all(
        this.containers
          .filter((c) => c.status === "RUNNING")
          .map(async (c) => {
            const info = await this.ctx.docker.inspectContainer(c.dockerId!).catch(() => undefined);
            c.bindings = networkBindings(this.plan.networkMode, c.plan, info, this.ctx.hostIp);
          }),
      );
      this.check();
      this.status = "RUNNING";
      this.reportTask("RUNNING");
    } catch (err) {
      if (err instanceof Closed || this.ctx.signal.aborted) throw err;
      const e = err as Error;
      this.requestStop(`${e.name}: ${e.message}`);
    }
  }

  private async pullAll(fresh: ManagedContainer[]): Promise<void> {
    const images = [...new Set(fresh.map((c) => c.plan.image))];
    await Promise.all(
      images.map((image) =>
        this.ctx.pull(image).catch((err: Error) => {
          for (const c of fresh) if (c.plan.image === image) c.reason = `${err.name}: ${err.message}`;
          throw err;
        }),
      ),
    );
    this.check();
  }

  private failed(c: ManagedContainer, err: Error): Error {
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
  private async startInOrder(): Promise<void> {
    const order = startOrder(this.plan.containers).map((p) => this.containers.find((x) => x.plan === p)!);
    for (;;) {
      let waiting = false;
      let progressed = false;
      let untilMs: number | undefined;
      for (const c of order) {
        if (this.desired !== "RUNNING") return;
        if (c.status !== "CREATED") continue;
        const deps = [...c.plan.dependsOn, ...c.plan.linksTo.map((n) => ({ containerName: n, condition: "START" }))];
        const v = evaluateDependencies(c.plan.name, deps, this.dependencyStates(), Date.now());
        if (v.kind === "wait") {
          waiting = true;
          if (v.untilMs !== undefined) untilMs = Math.min(untilMs ?? Infinity, v.untilMs);
          continue;
        }
        progressed = true;
        if (v.kind === "fail") {
          c.status = "STOPPED";
          c.exitCode = DEPENDENCY_FAILED_EXIT_CODE;
          c.reason = `CannotStartContainerError: ${v.reason}`;
          if (c.plan.essential) this.requestStop(ESSENTIAL_EXITED);
          continue;
        }
        try {
          await this.ctx.docker.startContainer(c.dockerId!);
        } catch (err) {
          throw this.failed(c, new CannotStartContainerError(daemonMessage(err)));
        }
        this.check();
        c.status = "RUNNING";
        c.startedAtMs ??= Date.now();
        if (monitorsHealth(c.plan.body)) c.health ??= "UNKNOWN";
        this.watch(c);
      }
      if (!waiting || this.desired !== "RUNNING") return;
      if (progressed) await this.drainInbox();
      else await this.nextEvents(untilMs);
    }
  }

  private dependencyStates(): Map<string, DependencyState> {
    return new Map(
      this.containers.map((c) => [
        c.plan.name,
        {
          status: c.status,
          exitCode: c.exitCode,
          health: c.health,
          startedAtMs: c.startedAtMs,
          startTimeoutSec: this.resources.startTimeoutSec(c.plan.name),
        },
      ]),
    );
  }

  /**
   * `docker stop -t <stopTimeout>` for every started container, dependents before their
   * dependencies (reverse startup order, one wave after another), then STOPPED with exit codes.
   */
  private async stopAll(): Promise<void> {
    for (const wave of shutdownWaves(this.containers.map((c) => ({ name: c.plan.name, dependsOn: c.plan.dependsOn, c })))) {
      await Promise.all(wave.map(({ c }) => this.stopOne(c)));
    }
    this.check();
    this.watchers.abort();
    await this.taskSetup?.beforeStopped?.();
    this.check();
    for (const c of this.containers) c.status = "STOPPED";
    this.status = "STOPPED";
    this.reportTask("STOPPED", nowSec());
  }

  private async stopOne(c: ManagedContainer): Promise<void> {
    if (!c.dockerId || c.status === "STOPPED" || c.status === "NONE") return;
    try {
      if (c.status === "RUNNING") await this.ctx.docker.stopContainer(c.dockerId, c.plan.stopTimeoutSec);
    } catch (err) {
      c.reason ??= `CannotStopContainerError: ${new CannotStopContainerError(daemonMessage(err)).message}`;
      await this.ctx.docker.killContainer(c.dockerId).catch(() => undefined);
    }
    const info = await this.ctx.docker.inspectContainer(c.dockerId).catch(() => undefined);
    if (info) this.absorb(c, info);
    c.status = "STOPPED";
  }

  private containerReport(c: ManagedContainer): ContainerReport {
    const r: ContainerReport = { containerName: c.plan.name, status: c.status === "STOPPED" ? "STOPPED" : c.status === "RUNNING" ? "RUNNING" : "PENDING" };
    if (c.dockerId) r.runtimeId = c.dockerId;
    if (c.exitCode !== undefined) r.exitCode = c.exitCode;
    if (c.reason) r.reason = c.reason.slice(0, 255);
    if (c.status === "RUNNING") r.networkBindings = c.bindings;
    if (c.health) r.healthStatus = c.health;
    if (c.startedAtMs !== undefined) r.startedAt = c.startedAtMs / 1000;
    return r;
  }

  private reportTask(status: TaskStateReport["status"], executionStoppedAt?: number): void {
    const body: TaskStateReport = {
      cluster: this.assignment.clusterArn,
      task: this.taskArn,
      status,
      containers: this.containers.map((c) => this.containerReport(c)),
    };
    if (status === "STOPPED" && this.stopReason) body.reason = this.stopReason.slice(0, 255);
    if (this.pullStartedAt !== undefined) body.pullStartedAt = this.pullStartedAt;
    if (this.pullStoppedAt !== undefined) body.pullStoppedAt = this.pullStoppedAt;
    if (executionStoppedAt !== undefined) body.executionStoppedAt = executionStoppedAt;
    this.queue.push({ kind: "task", body });
  }

  private reportContainer(c: ManagedContainer): void {
    this.queue.push({
      kind: "container",
      body: { cluster: this.assignment.clusterArn, task: this.taskArn, ...this.containerReport(c) },
    });
  }

  /** A read-only view for tests and logs. */
  snapshot(): { status: AgentTaskStatus; desired: string; containers: { name: string; dockerId?: string; status: string; exitCode?: number }[] } {
    return {
      status: this.status,
      desired: this.desired,
      containers: this.containers.map((c) => ({ name: c.plan.name, dockerId: c.dockerId, status: c.status, exitCode: c.exitCode })),
    };
  }
}
