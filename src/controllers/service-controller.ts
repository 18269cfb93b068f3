import type { EcsDeps } from "../api/ecs/deps.js";
import { addEvents, toServiceState, type ServiceDoc } from "../api/ecs/service-doc.js";
import { recordTimelines, syncHistory, type TimelinePass } from "../api/ecs/service-history.js";
import type { TaskDoc } from "../api/ecs/task-doc.js";
import { reconcileDaemon, type DaemonInstance } from "../core/service/daemon.js";
import { isOccupying } from "../core/service/health.js";
import { msg } from "../core/service/messages.js";
import { reconcileService } from "../core/service/reconcile.js";
import { defaultParams, type DeploymentState, type ObservedTask, type ReconcileParams, type ReconcileResult, type StopAction } from "../core/service/types.js";
import { newDeploymentId } from "../core/ids.js";
import { WorkQueue } from "./work-queue.js";

/**
 * The service controller: a level-triggered loop that, for each service ARN taken off a
 * de-duplicating work queue, observes the service's tasks, asks the pure scheduler
 * (src/core/service) what to do, does it through a `ServiceTaskPort`, and persists the
 * service's deployments, scheduler memory, events and deployment history.
 *
 * The port is the seam to the task layer: this file never creates or stops a task itself.
 */
export interface ServiceTaskPort {
  /**
   * Every task of the service, of every deployment: live ones and those STOPPED recently
   * (ECS keeps them about an hour). Map TaskDocs with `observeTask` below.
   */
  listServiceTasks(service: ServiceDoc): Promise<ObservedTask[]>;
  /**
   * Launches `count` tasks of `deployment` (its task definition, launch type, network
   * configuration) with `startedBy` = deployment.id and `group` = `service:NAME`, placed with
   * the service's constraints and strategy (ECS's default spread when none), tags propagated
   * per `propagateTags`. DAEMON passes the instances to use, one task each. Partial success is
   * normal: return what started and why the rest could not be placed.
   */
  startTasks(service: ServiceDoc, deployment: DeploymentState, count: number, containerInstanceArns?: string[]): Promise<StartOutcome>;
  /** Stops one task, stopCode ServiceSchedulerInitiated, stoppedReason `reason`. */
  stopTask(service: ServiceDoc, taskArn: string, reason: string): Promise<void>;
  /** DAEMON only: the cluster's instances, `eligible` = satisfies the service's constraints. */
  listDaemonInstances?(service: ServiceDoc): Promise<DaemonInstance[]>;
}

export interface StartOutcome {
  /** ARNs of the tasks created (PENDING). */
  started: string[];
  /** One entry per task that could not be placed; `detail` completes ECS's event text. */
  failures: { reason: string; detail?: string }[];
}

export interface ServiceControllerOptions {
  params?: Partial<ReconcileParams>;
  /** Every service is looked at this often even without a trigger (default 10 s). */
  resyncMs?: number;
  concurrency?: number;
  log?: (line: string) => void;
}

export class ServiceController {
  readonly queue: WorkQueue;
  readonly #deps: EcsDeps;
  readonly #port: ServiceTaskPort;
  readonly #opts: ServiceControllerOptions;
  readonly #healthyAfterMs: number;
  #resync?: NodeJS.Timeout;

  constructor(deps: EcsDeps, port: ServiceTaskPort, opts: ServiceControllerOptions = {}) {
    this.#deps = deps;
    this.#port = port;
    this.#opts = opts;
    this.#healthyAfterMs = { ...defaultParams(newDeploymentId), ...opts.params }.healthyAfterMs;
    this.queue = new WorkQueue((arn) => this.reconcile(arn), {
      concurrency: opts.concurrency ?? 8,
      onError: (key, err) => opts.log?.(`service controller: ${key}: ${err instanceof Error ? err.stack : String(err)}`),
    });
  }

  /** Something about this service (or its tasks, or its cluster's instances) may have changed. */
  enqueue(serviceArn: string): void {
    this.queue.add(serviceArn);
  }

  /** Enqueues every ACTIVE or DRAINING service now and then every `resyncMs`. */
  start(): void {
    const tick = async () => {
      const rows = await this.#deps.store.list<ServiceDoc>("service");
      for (const r of rows) if (r.value.status !== "INACTIVE") this.enqueue(r.id);
    };
    void tick().catch((e) => this.#opts.log?.(`service controller resync: ${String(e)}`));
    this.#resync = setInterval(() => void tick().catch(() => undefined), this.#opts.resyncMs ?? 10_000);
    this.#resync.unref?.();
  }

  async stop(): Promise<void> {
    if (this.#resync) clearInterval(this.#resync);
    await this.queue.stop();
  }

  /** One pass for one service (the work queue's handler; callable directly in tests). */
  async reconcile(serviceArn: string): Promise<{ requeueAfterMs?: number }> {
    const deps = this.#deps;
    const read = await deps.store.get<ServiceDoc>("service", serviceArn);
    if (!read || read.value.status === "INACTIVE") return {};
    const doc = read.value;
    const observed = await this.#port.listServiceTasks(doc);
    const now = deps.clock.now();
    const state = toServiceState(doc);
    let result: ReconcileResult;
    let desiredCount = doc.desiredCount;
    if (doc.schedulingStrategy === "DAEMON") {
      const instances = (await this.#port.listDaemonInstances?.(doc)) ?? [];
      const r = reconcileDaemon(state, instances, observed, now, this.#opts.params);
      desiredCount = doc.status === "ACTIVE" ? r.desiredCount : 0;
      result = r;
    } else {
      result = reconcileService(state, observed, now, this.#opts.params);
    }

    const events = [...result.events];
    const errors: unknown[] = [];
    const deploymentOf = new Map(observed.map((t) => [t.taskArn, t.deploymentId]));
    const stops: (StopAction & { deploymentId: string })[] = result.stop.map((s) => ({ ...s, deploymentId: deploymentOf.get(s.taskArn) ?? "" }));
    const launched = new Map<string, string[]>();
    for (const s of result.stop) {
      await this.#port.stopTask(doc, s.taskArn, s.reason).catch((e) => errors.push(e));
    }
    const deployments = result.deployments.map((d) => ({ ...d }));
    for (const s of result.start) {
      const dep = deployments.find((d) => d.id === s.deploymentId)!;
      let outcome: StartOutcome;
      try {
        outcome = await this.#port.startTasks(doc, dep, s.count, s.containerInstanceArns);
      } catch (e) {
        errors.push(e);
        outcome = { started: [], failures: [] };
      }
      launched.set(dep.id, [...(launched.get(dep.id) ?? []), ...outcome.started]);
      const missing = s.count - outcome.started.length;
      dep.pendingCount = Math.max(0, dep.pendingCount - missing);
      if (outcome.started.length > 0) events.push(msg.startedTasks(doc.serviceName, outcome.started));
      const failure = outcome.failures[0];
      if (failure) {
        const text = msg.unableToPlace(doc.serviceName, failure.detail);
        const newest = doc.events[0];
        // ECS does not repeat the same placement complaint on every pass.
        if (!(newest?.message === text && now / 1000 - newest.createdAt < 60)) events.push(text);
      }
    }

    const timelinePass: TimelinePass = {
      observed,
      launched,
      stops,
      now,
      healthyAfterMs: this.#healthyAfterMs,
      ...(deployments[0] ? { primaryId: deployments[0].id } : {}),
    };
    const drained =
      doc.status === "DRAINING" && !observed.some(isOccupying) && result.start.length === 0;
    const written = await deps.lock(serviceArn, async () => {
      const fresh = await deps.store.get<ServiceDoc>("service", serviceArn);
      if (!fresh) return false;
      const cur = fresh.value;
      if (fresh.version !== read.version) {
        // The service changed under us (UpdateService, DeleteService): keep the user's change,
        // record the events and the timeline facts (launches and stops did happen), and look
        // again at once.
        const next: ServiceDoc = {
          ...cur,
          events: addEvents(cur, events, now),
          wharf: { ...cur.wharf, history: recordTimelines(cur.wharf.history, timelinePass) },
        };
        await deps.store.write([{ op: "put", kind: "service", id: serviceArn, scope: cur.clusterArn, sort: cur.serviceName, value: next, expectVersion: fresh.version }]);
        return false;
      }
      const breaker = cur.deploymentConfiguration?.deploymentCircuitBreaker;
      const next: ServiceDoc = {
        ...cur,
        desiredCount,
        ...(drained ? { status: "INACTIVE" as const } : {}),
        taskDefinition: deployments[0]?.taskDefinition ?? cur.taskDefinition,
        events: addEvents(cur, events, now),
        wharf: {
          ...cur.wharf,
          deployments,
          scheduler: result.scheduler,
          history: recordTimelines(
            syncHistory(
              cur.wharf.history,
              { deployments, dropped: result.dropped },
              breaker ? { enable: breaker.enable ?? false, rollback: breaker.rollback ?? false } : undefined,
              desiredCount,
              now,
            ),
            timelinePass,
          ),
          ...(drained ? { deletedAt: now } : {}),
        },
      };
      await deps.store.write([{ op: "put", kind: "service", id: serviceArn, scope: cur.clusterArn, sort: cur.serviceName, value: next, expectVersion: fresh.version }]);
      return true;
    });
    if (errors.length > 0) throw errors[0];
    if (!written) return { requeueAfterMs: 1 };
    if (drained) return {};
    return result.requeueAfterMs !== undefined ? { requeueAfterMs: result.requeueAfterMs } : {};
  }
}

/** ms from a stored epoch-seconds timestamp. */
const ms = (s: number | undefined) => (s === undefined ? undefined : Math.round(s * 1000));

/**
 * A stored task as the scheduler sees it. `drainingInstances`: ARNs of the cluster's
 * container instances that are DRAINING (or gone); their tasks must be replaced.
 */
export function observeTask(t: TaskDoc, drainingInstances: ReadonlySet<string> = new Set()): ObservedTask {
  const defs = ((t.wharf?.taskDefinition as { containerDefinitions?: { essential?: boolean; healthCheck?: unknown }[] })
    ?.containerDefinitions ?? []);
  const hasHealthCheck = defs.some((c) => c.essential !== false && c.healthCheck !== undefined);
  const out: ObservedTask = {
    taskArn: t.taskArn,
    deploymentId: t.startedBy ?? "",
    lastStatus: t.lastStatus,
    desiredStatus: t.desiredStatus,
    healthStatus: (t.healthStatus as ObservedTask["healthStatus"]) ?? "UNKNOWN",
    hasHealthCheck,
    createdAt: ms(t.createdAt)!,
    onDrainingInstance: t.containerInstanceArn !== undefined && drainingInstances.has(t.containerInstanceArn),
  };
  if (t.pullStartedAt !== undefined) out.pullStartedAt = ms(t.pullStartedAt)!;
  if (t.pullStoppedAt !== undefined) out.pullStoppedAt = ms(t.pullStoppedAt)!;
  if (t.startedAt !== undefined) out.startedAt = ms(t.startedAt)!;
  if (t.stoppedAt !== undefined) out.stoppedAt = ms(t.stoppedAt)!;
  if (t.stopCode) out.stopCode = t.stopCode;
  if (t.stoppedReason) out.stoppedReason = t.stoppedReason;
  if (t.containerInstanceArn) out.containerInstanceArn = t.containerInstanceArn;
  return out;
}
