import type { StoreDeps } from "../records/store-deps.js";
import type { ServiceTaskPort, StartOutcome } from "../records/service-tasks.js";
import { addEvents, isExternal, portView, toServiceState, type ServiceDoc } from "../records/service-doc.js";
import { reconcileTaskSets, taskSetLaunch, type TaskSetPass } from "../core/service/task-sets.js";
import { recordTimelines, syncHistory, type TimelinePass } from "../records/service-history.js";
import { reconcileDaemon, type DaemonInstance } from "../core/service/daemon.js";
import { isOccupying } from "../core/service/health.js";
import { msg } from "../core/service/messages.js";
import { reconcileService } from "../core/service/reconcile.js";
import { defaultParams, type DeploymentState, type ObservedTask, type ReconcileParams, type ReconcileResult, type StopAction } from "../core/service/types.js";
import { newDeploymentId } from "../core/ids.js";
import { countByGroup, planTargets, targetMsg, targetsToDrain } from "../core/service/targets.js";
import type { ServiceLbPort } from "../records/service-lb.js";
import type { ServiceRegistryPort } from "../records/service-registry.js";
import { planRegistrations, registryMsg } from "../core/service/registries.js";
import { WorkQueue } from "./work-queue.js";
import type { AlarmStateReader } from "../contracts/metric-alarms.js";
import { observeAlarms } from "../core/service/alarms.js";

/**
 * The service controller: a level-triggered loop that, for each service ARN taken off a
 * de-duplicating work queue, observes the service's tasks, asks the pure scheduler
 * (src/core/service) what to do, does it through a `ServiceTaskPort`, and persists the
 * service's deployments, scheduler memory, events and deployment history.
 *
 * The port is the seam to the task layer: this file never creates or stops a task itself.
 */
export interface ServiceControllerOptions {
  params?: Partial<ReconcileParams>;
  /** Every service is looked at this often even without a trigger (default 10 s). */
  resyncMs?: number;
  concurrency?: number;
  log?: (line: string) => void;
  /** The target groups of services with `loadBalancers` (without it, loadBalancers are only stored). */
  lb?: ServiceLbPort;
  /** The Cloud Map registries of services with `serviceRegistries` (without it, they are only stored). */
  registry?: ServiceRegistryPort;
  /** CloudWatch alarms' states, for `deploymentConfiguration.alarms` (without it, configured alarms never trigger). */
  alarms?: AlarmStateReader;
  /** Services are enqueued only while this says so (the replica leads; default always). */
  active?: () => boolean;
}

export class ServiceController {
  readonly queue: WorkQueue;
  readonly #deps: StoreDeps;
  readonly #port: ServiceTaskPort;
  readonly #opts: ServiceControllerOptions;
  readonly #healthyAfterMs: number;
  readonly #lb: ServiceLbPort | undefined;
  readonly #registry: ServiceRegistryPort | undefined;
  #resync?: NodeJS.Timeout;

  constructor(deps: StoreDeps, port: ServiceTaskPort, opts: ServiceControllerOptions = {}) {
    this.#deps = deps;
    this.#port = port;
    this.#lb = opts.lb;
    this.#registry = opts.registry;
    this.#opts = opts;
    this.#healthyAfterMs = { ...defaultParams(newDeploymentId), ...opts.params }.healthyAfterMs;
    this.queue = new WorkQueue((arn) => this.reconcile(arn), {
      concurrency: opts.concurrency ?? 8,
      onError: (key, err) => opts.log?.(`service controller: ${key}: ${err instanceof Error ? err.stack : String(err)}`),
    });
  }

  /** Something about this service (or its tasks, or its cluster's instances) may have changed. */
  enqueue(serviceArn: string): void {
    if (this.#opts.active && !this.#opts.active()) return;
    this.queue.add(serviceArn);
  }

  /** Enqueues every ACTIVE or DRAINING service now and then every `resyncMs`. */
  start(): void {
    void this.resync().catch((e) => this.#opts.log?.(`service controller resync: ${String(e)}`));
    this.#resync = setInterval(() => void this.resync().catch(() => undefined), this.#opts.resyncMs ?? 10_000);
    this.#resync.unref?.();
  }

  /** Enqueues every ACTIVE or DRAINING service (at start, periodically, and when a replica becomes the leader). */
  async resync(): Promise<void> {
    const rows = await this.#deps.store.list<ServiceDoc>("service");
    for (const r of rows) if (r.value.status !== "INACTIVE") this.enqueue(r.id);
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
    const external = isExternal(read.value);
    // An EXTERNAL service's load balancers and registries are its task sets' (the ports read them per task).
    const doc = external ? portView(read.value) : read.value;
    const lb = (doc.loadBalancers ?? []).length > 0 ? this.#lb : undefined;
    const observed = await this.#port.listServiceTasks(doc);
    if (lb) {
      const views = await lb.observeTargets(doc);
      for (const t of observed) {
        t.loadBalanced = true;
        const v = views.get(t.taskArn);
        if (v) t.targets = v;
      }
    }
    const now = deps.clock.now();
    const state = toServiceState(doc);
    const alarmCfg = state.deploymentConfiguration.alarms;
    if (alarmCfg?.enable && this.#opts.alarms) {
      const [, , , region, account] = doc.serviceArn.split(":");
      state.alarms = observeAlarms(alarmCfg.alarmNames, this.#opts.alarms.alarmStates(account!, region!, alarmCfg.alarmNames));
    }
    // healthCheckGracePeriodSeconds: load balancer (and container) unhealthiness is ignored this long after a task starts.
    const grace = (doc.healthCheckGracePeriodSeconds ?? 0) * 1000;
    const params = grace > 0 ? { ...this.#opts.params, healthCheckGraceMs: Math.max(grace, this.#opts.params?.healthCheckGraceMs ?? 0) } : this.#opts.params;
    let result: ReconcileResult;
    let desiredCount = doc.desiredCount;
    let taskSetPass: TaskSetPass | undefined;
    if (external) {
      const r = reconcileTaskSets({ ...state, taskSets: doc.wharf.taskSets ?? [] }, observed, now, params);
      taskSetPass = r;
      result = {
        start: r.start,
        stop: r.stop,
        deployments: r.taskSets.map(taskSetLaunch),
        dropped: [],
        scheduler: r.scheduler,
        events: r.events,
        steady: r.steady,
        ...(r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : {}),
      };
    } else if (doc.schedulingStrategy === "DAEMON") {
      const instances = (await this.#port.listDaemonInstances?.(doc)) ?? [];
      const r = reconcileDaemon(state, instances, observed, now, params);
      desiredCount = doc.status === "ACTIVE" ? r.desiredCount : 0;
      result = r;
    } else {
      result = reconcileService(state, observed, now, params);
    }

    const events = [...result.events];
    const errors: unknown[] = [];
    const deploymentOf = new Map(observed.map((t) => [t.taskArn, t.deploymentId]));
    const stops: (StopAction & { deploymentId: string })[] = result.stop.map((s) => ({ ...s, deploymentId: deploymentOf.get(s.taskArn) ?? "" }));
    const launched = new Map<string, string[]>();
    // A task with registered targets is deregistered first and waits DEACTIVATING while they drain.
    const byArn = new Map(observed.map((t) => [t.taskArn, t]));
    let drainingTasks = 0;
    const deregistered: string[] = [];
    const registry = (doc.serviceRegistries ?? []).length > 0 ? this.#registry : undefined;
    const regArn = doc.serviceRegistries?.[0]?.registryArn ?? "";
    let registered = new Set<string>();
    if (registry) {
      try {
        registered = await registry.registeredTasks(doc);
      } catch (e) {
        errors.push(e);
      }
    }
    // A registered task the scheduler stops leaves its registry first.
    const leaving = result.stop.filter((s) => registered.has(s.taskArn)).map((s) => s.taskArn);
    if (registry && leaving.length > 0) {
      try {
        await registry.deregister(doc, leaving);
        for (const arn of leaving) registered.delete(arn);
        events.push(registryMsg.deregistered(doc.serviceName, leaving.length, regArn));
      } catch (e) {
        errors.push(e);
      }
    }
    for (const s of result.stop) {
      const task = byArn.get(s.taskArn);
      const drain = lb && task && this.#port.deactivateTask ? targetsToDrain(task) : [];
      try {
        if (drain.length > 0) {
          await lb!.deregisterTargets(doc, drain);
          for (const [tg, n] of countByGroup(drain)) deregistered.push(targetMsg.deregistered(doc.serviceName, n, tg));
          await this.#port.deactivateTask!(doc, s.taskArn, s.reason);
          drainingTasks++;
          if (task) byArn.set(s.taskArn, { ...task, desiredStatus: "STOPPED", holdRunning: true, targets: (task.targets ?? []).map((v) => ({ ...v, membership: v.membership === "registered" ? "draining" : v.membership })) });
        } else {
          await this.#port.stopTask(doc, s.taskArn, s.reason);
          if (task) byArn.set(s.taskArn, { ...task, desiredStatus: "STOPPED" });
        }
      } catch (e) {
        errors.push(e);
      }
    }
    if (drainingTasks > 0) events.push(targetMsg.draining(doc.serviceName, drainingTasks));
    events.push(...deregistered);
    if (lb) {
      // Targets follow tasks: RUNNING tasks registered, stopped ones deregistered, drained ones released.
      const plan = planTargets(doc.serviceName, [...byArn.values()]);
      try {
        if (plan.register.length > 0) await lb.registerTargets(doc, plan.register);
        if (plan.deregister.length > 0) await lb.deregisterTargets(doc, plan.deregister);
        events.push(...plan.events);
        for (const arn of plan.release) await this.#port.releaseTask?.(doc, arn);
      } catch (e) {
        errors.push(e);
      }
    }
    if (registry) {
      // Tasks follow their health into and out of the registry (a stop by anyone else: deps.beforeTaskStop).
      try {
        const plan = planRegistrations([...byArn.values()], registered);
        if (plan.deregister.length > 0) await registry.deregister(doc, plan.deregister);
        const failures = plan.register.length > 0 ? await registry.register(doc, plan.register) : [];
        const failed = new Set(failures.map((f) => f.taskArn));
        const done = plan.register.filter((a) => !failed.has(a)).length;
        if (done > 0) events.push(registryMsg.registered(doc.serviceName, done, regArn));
        if (plan.deregister.length > 0) events.push(registryMsg.deregistered(doc.serviceName, plan.deregister.length, regArn));
        const first = failures[0];
        if (first) {
          const text = registryMsg.failed(doc.serviceName, regArn, first.reason);
          if (doc.events[0]?.message !== text) events.push(text);
        }
      } catch (e) {
        errors.push(e);
      }
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

    // Launches that did not happen are not pending.
    const taskSets = taskSetPass?.taskSets.map((t) => {
      const d = deployments.find((x) => x.id === t.id);
      return d && d.pendingCount !== t.pendingCount ? { ...t, pendingCount: d.pendingCount } : t;
    });
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
      if (taskSets) {
        const ext: ServiceDoc = {
          ...cur,
          ...(drained ? { status: "INACTIVE" as const } : {}),
          events: addEvents(cur, events, now),
          wharf: { ...cur.wharf, taskSets, scheduler: result.scheduler, ...(drained ? { deletedAt: now } : {}) },
        };
        await deps.store.write([{ op: "put", kind: "service", id: serviceArn, scope: cur.clusterArn, sort: cur.serviceName, value: ext, expectVersion: fresh.version }]);
        return true;
      }
      const breaker = cur.deploymentConfiguration?.deploymentCircuitBreaker;
      // A stop request is acted on by this pass (or no longer applies): it is consumed.
      const { stopRequest: _consumed, ...internals } = cur.wharf;
      const next: ServiceDoc = {
        ...cur,
        desiredCount,
        ...(drained ? { status: "INACTIVE" as const } : {}),
        taskDefinition: deployments[0]?.taskDefinition ?? cur.taskDefinition,
        events: addEvents(cur, events, now),
        wharf: {
          ...internals,
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

