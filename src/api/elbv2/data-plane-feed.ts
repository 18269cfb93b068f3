import type { DrainComplete, LbDataPlane, TargetHealthReport } from "../../core/lb/data-plane-contract.js";
import type { WriteOp } from "../../store/store.js";
import { elbLock, type Elbv2Deps, putOp } from "./deps.js";
import { desiredState, type ElbDocs, nextDrainDeadline } from "./desired-state.js";
import type { ListenerDoc, LoadBalancerDoc, RuleDoc, TargetGroupDoc, TargetHealthDoc } from "./docs.js";
import { healthId } from "./targets.js";

const WATCHED = new Set(["elbv2-load-balancer", "elbv2-target-group", "elbv2-listener", "elbv2-rule"]);

const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";

/**
 * Keeps the load balancer data plane converged on the store: every committed ELBv2 write (the
 * server's write listener calls `observe`) re-derives the whole desired state and hands it to
 * `LbDataPlane.apply` (coalesced: one apply at a time, the latest state next). A drain deadline
 * passing changes the state by time alone, so a timer re-applies then. Health reports become
 * `elbv2-target-health` records (DescribeTargetHealth reads them); DrainComplete removes the
 * drained target from its group.
 */
export class LbDataPlaneFeed {
  #running: Promise<void> | undefined;
  #dirty = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idle: (() => void)[] = [];
  /** Applies that threw (each was logged; the next change retries). */
  failures = 0;

  constructor(
    private readonly deps: Elbv2Deps,
    private readonly plane: LbDataPlane,
    private readonly log?: (line: Record<string, unknown>) => void,
  ) {
    plane.onHealth((r) => void this.recordHealth(r).catch((err) => this.logError("recording a health report failed", err)));
    plane.onDrained((d) => void this.recordDrained(d).catch((err) => this.logError("recording a drain completion failed", err)));
  }

  /** Applies the current state once at start (the data plane may hold nothing yet). */
  start(): void {
    this.schedule();
  }

  observe(ops: readonly WriteOp[]): void {
    if (ops.some((op) => WATCHED.has(op.kind))) this.schedule();
  }

  /** Resolves once no apply is running or pending (tests wait on it). */
  idle(): Promise<void> {
    if (!this.#running && !this.#dirty) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  private schedule(): void {
    if (this.#closed) return;
    this.#dirty = true;
    if (this.#running) return;
    this.#running = this.loop().finally(() => {
      this.#running = undefined;
      for (const f of this.#idle.splice(0)) f();
    });
  }

  private async loop(): Promise<void> {
    while (this.#dirty && !this.#closed) {
      this.#dirty = false;
      try {
        const docs = await this.readDocs();
        const now = this.deps.clock.now();
        await this.plane.apply(desiredState(docs, now));
        this.armTimer(nextDrainDeadline(docs, now), now);
      } catch (err) {
        this.failures++;
        this.logError("applying the load balancer state failed", err);
      }
    }
  }

  private armTimer(at: number | undefined, now: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (at === undefined || this.#closed) return;
    this.#timer = setTimeout(() => this.schedule(), Math.max(0, at - now) + 1);
    this.#timer.unref();
  }

  private async readDocs(): Promise<ElbDocs> {
    const all = async <T>(kind: "elbv2-load-balancer" | "elbv2-target-group" | "elbv2-listener" | "elbv2-rule") =>
      (await this.deps.store.list<T>(kind)).map((r) => r.value);
    return {
      loadBalancers: await all<LoadBalancerDoc>("elbv2-load-balancer"),
      targetGroups: await all<TargetGroupDoc>("elbv2-target-group"),
      listeners: await all<ListenerDoc>("elbv2-listener"),
      rules: await all<RuleDoc>("elbv2-rule"),
    };
  }

  private async recordHealth(r: TargetHealthReport): Promise<void> {
    const tg = (await this.deps.store.get<TargetGroupDoc>("elbv2-target-group", r.targetGroupArn))?.value;
    if (!tg || !tg.targets.some((t) => t.id === r.targetId && t.port === r.port)) return; // a late report of a target that is gone
    const doc: TargetHealthDoc = {
      targetGroupArn: r.targetGroupArn,
      targetId: r.targetId,
      port: r.port,
      state: r.state,
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.description ? { description: r.description } : {}),
      at: r.at,
    };
    const id = healthId(r.targetGroupArn, r.targetId, r.port);
    await this.deps.store.write([{ op: "put", kind: "elbv2-target-health", id, scope: r.targetGroupArn, sort: id, value: doc }]);
  }

  private async recordDrained(d: DrainComplete): Promise<void> {
    const region = regionOfArn(d.targetGroupArn);
    await this.deps.lock(elbLock(region), async () => {
      const tg = (await this.deps.store.get<TargetGroupDoc>("elbv2-target-group", d.targetGroupArn))?.value;
      if (!tg) return;
      const targets = tg.targets.filter((t) => !(t.id === d.targetId && t.port === d.port && t.deregisteredAt !== undefined));
      if (targets.length === tg.targets.length) return;
      const ops: WriteOp[] = [
        putOp("elbv2-target-group", tg.region, tg.arn, { ...tg, targets }, tg.name),
        { op: "delete", kind: "elbv2-target-health", id: healthId(tg.arn, d.targetId, d.port) },
      ];
      await this.deps.store.write(ops);
    });
  }

  private logError(msg: string, err: unknown): void {
    this.log?.({ component: "elbv2", level: "error", msg, err: String((err as Error)?.stack ?? err) });
  }
}
