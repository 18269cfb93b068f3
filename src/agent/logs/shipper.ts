import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { LogRoute } from "../../core/log-route.js";
import { ECS_LABELS } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import { jsonLines, openRequest } from "../docker/transport.js";
import type { DockerEvent } from "../docker/types.js";
import { backoffDelay, sleep } from "../../core/backoff.js";
import { CursorStore } from "./cursor.js";
import { ContainerFollower, type FollowerStats } from "./follower.js";
import { ensureLogGroup, ensureLogStream, errorCode, isPermanent, logGroupExists, type LogsCall } from "../../contracts/logs-client.js";
import { createSink } from "./sinks.js";

/**
 * The agent's log shipper, level-triggered: the desired state is "every container of this
 * instance that carries a log route (the `com.wharf.log-route` label, set when the task
 * planned it) has a follower until all its output is shipped"; the actual state is the set of
 * followers. Docker `start`/`die` events make it react at once; a periodic resync (and every
 * drain request) re-derives everything from Docker's container list and the cursor files, so
 * a missed event, an agent restart or a container adopted from an earlier run all converge the
 * same way. Cursor files of containers that no longer exist are removed by the resync.
 */

export const LOG_ROUTE_LABEL = "com.wharf.log-route";

/** The container-instance attributes that say this agent ships these drivers (placement needs them). */
export const LOG_CAPABILITY_ATTRIBUTES = [
  "com.amazonaws.ecs.capability.logging-driver.awslogs",
  "com.amazonaws.ecs.capability.logging-driver.awsfirelens",
  "ecs.capability.execution-role-awslogs",
  "ecs.capability.firelens.fluentbit",
  "ecs.capability.firelens.fluentd",
] as const;

/** A task that cannot start because its logger cannot be set up; the name is ECS's stoppedReason prefix. */
export class ResourceInitializationError extends Error {
  override name = "ResourceInitializationError";
}

/**
 * ECS's wording when the logger cannot be set up: the log group is missing and
 * awslogs-create-group is off, or the caller (the execution role) may not create the group or
 * stream — "… failed to create Cloudwatch log group: AccessDeniedException: User: … status code:
 * 400, request id: … : exit status 1".
 */
export const loggerArgsError = (cause: string, what: "group" | "stream" = "stream"): ResourceInitializationError =>
  new ResourceInitializationError(
    `failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log ${what}: ${cause} : exit status 1`,
  );

/** An API error as the AWS SDK for Go writes it into the awslogs driver's message. */
function sdkErrorText(err: unknown): string {
  const e = err as Error & { requestId?: string; statusCode?: number };
  return errorCode(err) && e.requestId ? `${e.message} status code: ${e.statusCode}, request id: ${e.requestId}` : e.message;
}
export const GROUP_MISSING = "ResourceNotFoundException: The specified log group does not exist.";

export interface LogShipperOptions {
  docker: DockerClient;
  /** Signed CloudWatch Logs calls (src/contracts/logs-client.ts). */
  call: LogsCall;
  /** The agent's data dir; cursors live in `<dataDir>/log-cursors`. */
  dataDir: string;
  /** Labels that mark this instance's containers. */
  instanceLabels: Record<string, string>;
  log?: (line: Record<string, unknown>) => void;
  /** Safety-net resync period (default 5 s). */
  resyncMs?: number;
  /**
   * The calls of a route whose task has an execution role (`LogRoute.executionRoleArn`): made
   * with that role's credentials (src/agent/credentials/execution-role.ts). Without it, or for
   * routes without the role, `call`.
   */
  roleCalls?: RoleCalls;
}

/** Log delivery under a task's execution role. */
export interface RoleCalls {
  callFor(route: LogRoute): LogsCall | undefined;
  /** The task is gone: its credentials may go. */
  forget(taskArn: string): void;
}

/** How many finished followers' stats are kept for `stats()` (they outlive their containers, bounded by count). */
const FINISHED_MEMORY = 1_000;

export class LogShipper {
  private readonly followers = new Map<string, ContainerFollower>();
  private readonly finished = new Map<string, FollowerStats>();
  private readonly abort = new AbortController();
  private readonly cursors: CursorStore;
  private readonly log: (line: Record<string, unknown>) => void;
  private timer?: NodeJS.Timeout;
  private resyncing?: Promise<void>;

  constructor(private readonly opts: LogShipperOptions) {
    this.cursors = new CursorStore(join(opts.dataDir, "log-cursors"));
    this.log = opts.log ?? (() => undefined);
  }

  /** Starts watching Docker; resolves after the first resync (containers of an earlier run are followed). */
  async start(): Promise<void> {
    void this.eventLoop();
    this.timer = setInterval(() => void this.resync().catch(() => undefined), this.opts.resyncMs ?? 5_000);
    this.timer.unref();
    await this.resync().catch((err: Error) => this.log({ msg: "log shipper resync failed", error: err.message }));
  }

  /**
   * Before a task's containers are created: creates the log groups that may be created, checks
   * the others exist, creates the streams whose names are known. Throws
   * ResourceInitializationError (ECS's text) when a group is missing and creation is off, or
   * the Logs API cannot be reached.
   */
  async prepare(routes: LogRoute[]): Promise<void> {
    const seen = new Set<string>();
    let what: "group" | "stream" = "stream";
    for (const r of routes) {
      const d = r.destination;
      if (d.type === "file") {
        await mkdir(d.path, { recursive: true }).catch((err: Error) => {
          throw new ResourceInitializationError(`failed to validate logger args: cannot create FireLens file output directory ${d.path}: ${err.message}`);
        });
        continue;
      }
      if (d.type !== "cloudwatch") continue;
      const key = JSON.stringify([d.region, d.group, d.stream]);
      if (seen.has(key)) continue;
      seen.add(key);
      const call = this.callOf(r);
      await this.withRetries(async () => {
        what = "group";
        if (d.createGroup) await ensureLogGroup(call, d.region, d.group);
        what = "stream";
        if (d.stream !== null) {
          await ensureLogStream(call, d.region, d.group, d.stream);
        } else if (!(await logGroupExists(call, d.region, d.group))) {
          throw loggerArgsError(GROUP_MISSING);
        }
      }, () => what);
    }
  }

  /** The Logs calls for a route: its task's execution role's, or the agent's own. */
  private callOf(route: LogRoute): LogsCall {
    return (route.executionRoleArn && this.opts.roleCalls?.callFor(route)) || this.opts.call;
  }

  /** The task's containers are removed: what was held for its delivery goes. */
  release(taskArn: string): void {
    this.opts.roleCalls?.forget(taskArn);
  }

  private async withRetries(fn: () => Promise<void>, what: () => "group" | "stream"): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof ResourceInitializationError) throw err;
        if (errorCode(err) === "ResourceNotFoundException") throw loggerArgsError(GROUP_MISSING);
        if (isPermanent(err) || attempt >= 3 || this.abort.signal.aborted) throw loggerArgsError(sdkErrorText(err), what());
        await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 2_000 }), this.abort.signal);
      }
    }
  }

  /**
   * Re-derives the followers from Docker: every routed container of this instance (of one task
   * when `taskArn` is given) that is not finished gets one. A full resync also removes cursor
   * files of containers that are gone.
   */
  resync(taskArn?: string): Promise<void> {
    if (taskArn === undefined && this.resyncing) return this.resyncing;
    const p = this.resyncOnce(taskArn);
    if (taskArn === undefined) this.resyncing = p.finally(() => (this.resyncing = undefined));
    return p;
  }

  private async resyncOnce(taskArn?: string): Promise<void> {
    if (this.abort.signal.aborted) return;
    const labels = { ...this.opts.instanceLabels, ...(taskArn ? { [ECS_LABELS.taskArn]: taskArn } : {}) };
    const list = await this.opts.docker.listContainers(labels);
    for (const c of list) {
      const route = c.Labels[LOG_ROUTE_LABEL];
      if (route) this.ensure(c.Id, c.Names[0] ?? c.Id, route, c.Labels);
    }
    if (taskArn !== undefined) return;
    const alive = new Set(list.map((c) => c.Id));
    for (const id of this.cursors.ids()) {
      if (!alive.has(id) && !this.followers.has(id)) this.cursors.remove(id);
    }
  }

  /** Makes sure a routed container has a follower (or has finished). */
  private ensure(id: string, dockerName: string, routeLabel: string, labels: Record<string, string>): void {
    if (this.abort.signal.aborted || this.followers.has(id) || this.finished.has(id)) return;
    let route: LogRoute;
    try {
      route = JSON.parse(routeLabel) as LogRoute;
    } catch {
      return;
    }
    const identity = { id, dockerName };
    const follower = new ContainerFollower(
      { docker: this.opts.docker, cursors: this.cursors, log: this.log, signal: this.abort.signal },
      { id, dockerName, route, tty: labels["com.wharf.tty"] === "true", sink: createSink(route, identity, this.callOf(route), this.log, this.opts.call) },
    );
    this.followers.set(id, follower);
    void follower.done.then(() => {
      if (this.followers.get(id) !== follower) return;
      this.followers.delete(id);
      if (follower.isDone) {
        this.finished.set(id, follower.stats());
        if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.keys().next().value!);
      }
    });
  }

  /**
   * Waits until every routed container of the task has all its output shipped (they have
   * exited), at most `timeoutMs` or until `signal` aborts. Resolves whether that was reached.
   */
  async drainTask(taskArn: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.abort.signal.aborted) return false;
    await this.resync(taskArn).catch(() => undefined);
    const pending = [...this.followers.values()].filter((f) => f.target.route.taskArn === taskArn);
    if (pending.length === 0) return true;
    for (const f of pending) f.finalize();
    let timer: NodeJS.Timeout | undefined;
    const stop = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      signal?.addEventListener("abort", () => resolve(), { once: true });
      this.abort.signal.addEventListener("abort", () => resolve(), { once: true });
    });
    await Promise.race([Promise.all(pending.map((f) => f.done)), stop]);
    clearTimeout(timer);
    const drained = pending.every((f) => f.isDone);
    if (!drained && !signal?.aborted && !this.abort.signal.aborted) {
      this.log({ msg: "log shipping not finished in time; going on", task: taskArn, waitedMs: timeoutMs, pending: pending.filter((f) => !f.isDone).map((f) => f.stats()) });
    }
    return drained;
  }

  /** Shipping counters of every container followed (finished ones included): the shipper's metrics. */
  stats(): FollowerStats[] {
    return [...this.finished.values(), ...[...this.followers.values()].map((f) => f.stats())];
  }

  /** Docker start/die events of routed containers: follow at once / look again. */
  private async eventLoop(): Promise<void> {
    const filters = JSON.stringify({
      type: ["container"],
      event: ["start", "die"],
      label: [...Object.entries(this.opts.instanceLabels).map(([k, v]) => `${k}=${v}`), LOG_ROUTE_LABEL],
    });
    const signal = this.abort.signal;
    for (let attempt = 0; !signal.aborted; ) {
      try {
        const res = await openRequest(this.opts.docker.endpoint, { method: "GET", path: `/events?filters=${encodeURIComponent(filters)}`, signal });
        attempt = 0;
        void this.resync().catch(() => undefined);
        for await (const ev of jsonLines<DockerEvent>(res)) {
          const id = ev.Actor?.ID;
          const attrs = ev.Actor?.Attributes ?? {};
          if (!id) continue;
          const existing = this.followers.get(id);
          if (existing) existing.nudge();
          else if (ev.Action === "start" && attrs[LOG_ROUTE_LABEL]) this.ensure(id, `/${attrs.name ?? id}`, attrs[LOG_ROUTE_LABEL], attrs);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.log({ msg: "docker events for log shipping interrupted, reconnecting", error: (err as Error).message });
      }
      await sleep(backoffDelay(attempt++, { initialMs: 200, maxMs: 10_000 }), signal);
    }
  }

  /**
   * Stops following: reading ends at once; a batch in flight is finished and recorded, the rest
   * is left for the next agent (it resumes from the cursor files).
   */
  async close(): Promise<void> {
    this.abort.abort();
    clearInterval(this.timer);
    await Promise.all([...this.followers.values()].map((f) => f.done));
  }
}
