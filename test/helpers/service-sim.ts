import { reconcileService } from "../../src/core/service/reconcile.js";
import {
  emptyMemory,
  type DeploymentConfig,
  type DeploymentState,
  type ObservedTask,
  type ReconcileParams,
  type ReconcileResult,
  type ServiceState,
} from "../../src/core/service/types.js";

/**
 * A tiny in-memory world for the pure REPLICA reconciler: tasks that start, turn healthy,
 * fail and stop as a test dictates, a clock, and a service whose deployments the scheduler
 * updates. Tests drive it step by step and check invariants between steps.
 */
export class ServiceSim {
  now = 1_000_000;
  tasks: ObservedTask[] = [];
  svc: ServiceState;
  events: string[] = [];
  results: ReconcileResult[] = [];
  private seq = 0;
  private depSeq = 0;
  /** Task definitions whose tasks never reach RUNNING. */
  badTaskDefs = new Set<string>();
  params: Partial<ReconcileParams>;

  constructor(desiredCount: number, cfg: DeploymentConfig, taskDefinition = "td:1", params: Partial<ReconcileParams> = {}) {
    this.params = { newDeploymentId: () => this.newDepId(), ...params };
    this.svc = {
      serviceName: "web",
      status: "ACTIVE",
      desiredCount,
      deploymentConfiguration: cfg,
      deployments: [this.deployment(taskDefinition, desiredCount)],
      scheduler: emptyMemory(),
    };
  }

  newDepId(): string {
    return `ecs-svc/${String(++this.depSeq).padStart(19, "0")}`;
  }

  deployment(taskDefinition: string, desiredCount: number): DeploymentState {
    const id = this.newDepId();
    return {
      id,
      status: "PRIMARY",
      taskDefinition,
      desiredCount,
      pendingCount: 0,
      runningCount: 0,
      failedTasks: 0,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: this.now,
      updatedAt: this.now,
    };
  }

  /** UpdateService with a new task definition / forceNewDeployment. */
  deploy(taskDefinition: string, desiredCount = this.svc.desiredCount): void {
    const fresh = this.deployment(taskDefinition, desiredCount);
    this.svc = {
      ...this.svc,
      desiredCount,
      deployments: [fresh, ...this.svc.deployments.map((d) => ({ ...d, status: "ACTIVE" as const }))],
    };
  }

  get primary(): DeploymentState {
    return this.svc.deployments[0]!;
  }

  taskDefOf(depId: string): string {
    return this.svc.deployments.find((d) => d.id === depId)?.taskDefinition ?? "?";
  }

  /** One scheduler pass, applied: stops mark desiredStatus STOPPED, starts create PENDING tasks. */
  step(): ReconcileResult {
    const r = reconcileService(this.svc, this.tasks.map((t) => ({ ...t })), this.now, this.params);
    for (const s of r.stop) {
      const t = this.tasks.find((x) => x.taskArn === s.taskArn)!;
      t.desiredStatus = "STOPPED";
      t.stoppedReason = s.reason;
      t.stopCode = "ServiceSchedulerInitiated";
    }
    for (const s of r.start) {
      for (let i = 0; i < s.count; i++) {
        this.tasks.push({
          taskArn: `arn:aws:ecs:us-east-1:000000000000:task/c/${(++this.seq).toString(16).padStart(32, "0")}`,
          deploymentId: s.deploymentId,
          lastStatus: "PENDING",
          desiredStatus: "RUNNING",
          createdAt: this.now,
        });
      }
    }
    this.svc = { ...this.svc, deployments: r.deployments, scheduler: r.scheduler };
    this.events.push(...r.events);
    this.results.push(r);
    return r;
  }

  /** Everything progresses: pending tasks start (or fail, for bad task definitions), stopping tasks stop. */
  progress(advanceMs: number): void {
    this.now += advanceMs;
    for (const t of this.tasks) {
      if (t.lastStatus === "STOPPED") continue;
      if (t.desiredStatus === "STOPPED") this.stopTask(t, t.stopCode ?? "ServiceSchedulerInitiated");
      else if (t.lastStatus === "PENDING") {
        if (this.badTaskDefs.has(this.taskDefOf(t.deploymentId))) this.stopTask(t, "TaskFailedToStart");
        else {
          t.lastStatus = "RUNNING";
          t.startedAt = this.now;
        }
      }
    }
  }

  stopTask(t: ObservedTask, stopCode: string): void {
    t.lastStatus = "STOPPED";
    t.desiredStatus = "STOPPED";
    t.stoppedAt = this.now;
    t.stopCode = stopCode;
  }

  /** Drops stopped tasks older than an hour, as ECS forgets them. */
  forget(): void {
    this.tasks = this.tasks.filter((t) => t.lastStatus !== "STOPPED" || this.now - (t.stoppedAt ?? 0) < 3600_000);
  }

  /** Runs step+progress until steady or the step budget runs out. */
  settle(maxSteps = 200, advanceMs = 10_000): boolean {
    for (let i = 0; i < maxSteps; i++) {
      const r = this.step();
      if (r.steady) return true;
      this.progress(advanceMs);
    }
    return false;
  }

  running(depId?: string): number {
    return this.tasks.filter((t) => t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING" && (!depId || t.deploymentId === depId)).length;
  }
}
