import { type AgentTaskStatus, moveTask } from "../../core/agent-task-states.js";
import { systemClock } from "../../core/time.js";
import { planTask, type TaskPlan, WHARF_LABELS } from "../container-config.js";
import type { ContainerInspect } from "../docker/types.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import { healthOfInspect, monitorsHealth } from "../health/monitor.js";
import type { TaskSetup } from "../network/task-setup.js";
import { watchExit } from "./container-watch.js";
import { absorbInspect, containerReport, type ManagedContainer, setContainerStatus } from "./managed-container.js";
import { ReportQueue, type TaskStateReport } from "./reporter.js";
import { Closed, ESSENTIAL_EXITED, type TaskContext } from "./task-context.js";
import { TaskResources } from "./task-resources.js";
import type { TaskRun } from "./task-run.js";
import { stopTask } from "./task-shutdown.js";
import { startTask } from "./task-startup.js";

export { AGENT_TASK_STATUSES as TASK_STATUSES, type AgentTaskStatus } from "../../core/agent-task-states.js";
export { AWSVPC_UNSUPPORTED, ESSENTIAL_EXITED, type TaskContext } from "./task-context.js";

type TaskEvent =
  | { kind: "stop"; reason?: string }
  | { kind: "exit"; name: string }
  /** Re-read the named container's health (all of them when name is undefined). */
  | { kind: "health"; name?: string }
  /** A startTimeout deadline passed: re-evaluate dependencies. */
  | { kind: "tick" };

/**
 * One task, one serial loop: only `run()` mutates the task; the poll and container watchers
 * post events into its inbox. Desired status only moves RUNNING → STOPPED; the task's and its
 * containers' statuses move only along src/core/agent-task-states.ts. Start-up is
 * task-startup.ts, shut-down task-shutdown.ts, a container's state managed-container.ts.
 * Containers that already exist (adopted after a restart) are neither recreated nor restarted.
 */
export class ManagedTask implements TaskRun {
  readonly taskArn: string;
  status: AgentTaskStatus = "NONE";
  readonly done: Promise<void>;
  #desired: "RUNNING" | "STOPPED";
  private stopReason?: string;
  private readonly inbox: TaskEvent[] = [];
  private wake?: () => void;
  private readonly watchers = new AbortController();
  private readonly queue: ReportQueue;
  plan!: TaskPlan;
  containers: ManagedContainer[] = [];
  /** Epoch seconds (also read by the task metadata endpoint). */
  pullStartedAt?: number;
  pullStoppedAt?: number;
  taskSetup?: TaskSetup;
  resources!: TaskResources;
  private unwatchHealth?: () => void;

  constructor(
    readonly ctx: TaskContext,
    readonly assignment: TaskAssignment,
    /** Container name → Docker id of containers found carrying this task's labels. */
    private readonly adopted: Map<string, string> = new Map(),
  ) {
    this.taskArn = assignment.taskArn;
    this.#desired = assignment.desiredStatus;
    if (this.#desired === "STOPPED") this.stopReason = assignment.stoppedReason;
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

  desired(): "RUNNING" | "STOPPED" {
    return this.#desired;
  }

  now(): number {
    return (this.ctx.clock ?? systemClock).now();
  }

  private post(ev: TaskEvent): void {
    this.inbox.push(ev);
    this.wake?.();
  }

  check(): void {
    if (this.ctx.signal.aborted) throw new Closed();
  }

  private async run(): Promise<void> {
    try {
      await this.prepare();
      await this.drainInbox();
      if (this.#desired === "RUNNING") await startTask(this);
      while (this.#desired === "RUNNING") await this.nextEvents();
      await stopTask(this, async () => {
        this.watchers.abort();
        await this.taskSetup?.beforeStopped?.();
      });
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
    if (essentialGone && this.#desired === "RUNNING") this.requestStop(ESSENTIAL_EXITED);
  }

  private absorb(c: ManagedContainer, info: ContainerInspect): void {
    absorbInspect(c, info, { networkMode: this.plan.networkMode, hostIp: this.ctx.hostIp });
  }

  requestStop(reason: string | undefined): void {
    if (this.#desired === "RUNNING") {
      this.#desired = "STOPPED";
      this.stopReason = reason;
    }
  }

  drainInbox(): Promise<void> | void {
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
  async nextEvents(untilMs?: number): Promise<void> {
    this.check();
    if (this.inbox.length === 0) {
      const timer = untilMs === undefined ? undefined : setTimeout(() => this.post({ kind: "tick" }), Math.max(0, untilMs - this.now()));
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
    if ((c.status as ManagedContainer["status"]) !== "STOPPED") {
      if (info) return; // a stale event: it runs again (restarting)
      setContainerStatus(c, "STOPPED");
      c.reason ??= "CannotInspectContainerError: container vanished";
    }
    if (this.#desired === "STOPPED" || this.status !== "RUNNING") {
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

  watch(c: ManagedContainer): void {
    watchExit(this.ctx.docker, c.dockerId!, this.watchers.signal, () => this.post({ kind: "exit", name: c.plan.name }));
  }

  enter(status: AgentTaskStatus & TaskStateReport["status"], executionStoppedAt?: number): void {
    this.status = moveTask(this.status, status);
    const body: TaskStateReport = {
      cluster: this.assignment.clusterArn,
      task: this.taskArn,
      status,
      containers: this.containers.map(containerReport),
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
      body: { cluster: this.assignment.clusterArn, task: this.taskArn, ...containerReport(c) },
    });
  }

  /** A read-only view for tests and logs. */
  snapshot(): { status: AgentTaskStatus; desired: string; containers: { name: string; dockerId?: string; status: string; exitCode?: number }[] } {
    return {
      status: this.status,
      desired: this.#desired,
      containers: this.containers.map((c) => ({ name: c.plan.name, dockerId: c.dockerId, status: c.status, exitCode: c.exitCode })),
    };
  }
}
