import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DrainComplete, LbDataPlane, LbDesiredState, LbTarget, LbTargetGroup, TargetHealthReport } from "../core/lb/data-plane-contract.js";
import { compileHaproxyConfig, dynamicServersAllowed, serverArgs, type ServerAdmin } from "../core/lb/haproxy-config.js";
import { backendName, serverName, targetKey } from "../core/lb/haproxy-names.js";
import { initialHealth, nextHealth, routing, type CheckResult, type TargetHealth } from "../core/lb/target-health.js";
import { HealthChecker } from "./health-checker.js";
import { HaproxyProcess, type Log } from "./haproxy-process.js";
import { runtimeCommand, showStat } from "./haproxy-runtime.js";

/**
 * The load balancer data plane on HAProxy (LbDataPlane): one HAProxy per Wharf server, its
 * files in `<dataDir>/haproxy/`. `apply` converges on the desired state: target changes (add,
 * remove, drain, health-driven ready/maint) through the runtime API without a reload; listener,
 * rule and group changes (and target changes of lb_cookie-sticky groups, whose servers HAProxy
 * 2.6 cannot add at runtime) by a graceful reload. Health: Wharf's checker (health-checker.ts).
 * Draining: `set server … state drain`, DrainComplete when the server's current sessions reach
 * 0 or at its drainDeadline, then the server is removed.
 */

export interface HaproxyDataPlaneOptions {
  /** The Wharf server's data dir; HAProxy's files go below `<dataDir>/haproxy`. */
  dataDir: string;
  log?: Log;
  binary?: string;
  /** How often draining servers' sessions are read (ms). */
  drainPollMs?: number;
  /** HAProxy worker threads (default: one per CPU). */
  threads?: number;
}

interface Running {
  structure: string;
  /** backend → server → its args and admin state as HAProxy has them now. */
  servers: Map<string, Map<string, { args: string; admin: ServerAdmin }>>;
  /** The forward map as HAProxy has it (key → backend). */
  forwards: Map<string, string>;
}

export class HaproxyDataPlane implements LbDataPlane {
  private readonly proc: HaproxyProcess;
  /** Forwards' backends (core/lb/haproxy-rules.ts ForwardMap): traffic moves by `set map`, not by reload. */
  private readonly mapPath: string;
  private readonly log: Log;
  private readonly checker: HealthChecker;
  private readonly healthListeners: ((r: TargetHealthReport) => void)[] = [];
  private readonly drainListeners: ((d: DrainComplete) => void)[] = [];
  private state: LbDesiredState = { loadBalancers: [], targetGroups: [] };
  private readonly health = new Map<string, TargetHealth>();
  private readonly reported = new Map<string, string>();
  private readonly drained = new Set<string>();
  private running?: Running;
  private queue: Promise<unknown> = Promise.resolve();
  private drainTimer?: NodeJS.Timeout;
  private readonly drainPollMs: number;
  private readonly threads?: number;
  private closed = false;

  constructor(options: HaproxyDataPlaneOptions) {
    this.log = options.log ?? (() => {});
    this.proc = new HaproxyProcess({ dir: join(options.dataDir, "haproxy"), binary: options.binary, log: (l) => this.log({ component: "lb", ...l }) });
    this.mapPath = join(this.proc.dir, "forwards.map");
    this.checker = new HealthChecker((tg, t, r) => this.onCheck(tg, t, r));
    this.drainPollMs = options.drainPollMs ?? 200;
    this.threads = options.threads;
  }

  onHealth(listener: (r: TargetHealthReport) => void): void {
    this.healthListeners.push(listener);
  }

  onDrained(listener: (d: DrainComplete) => void): void {
    this.drainListeners.push(listener);
  }

  apply(state: LbDesiredState): Promise<void> {
    return this.serial(() => this.converge(state));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.checker.close();
    clearInterval(this.drainTimer);
    await this.queue.catch(() => {});
    await this.proc.stop();
    this.running = undefined;
  }

  /** One change at a time: applies, health flips and drain ends never interleave. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => {});
    return next;
  }

  private report(tgArn: string, t: LbTarget, h: Pick<TargetHealth, "state" | "reason" | "description">): void {
    const key = targetKey(tgArn, t);
    const sig = `${h.state}|${h.reason ?? ""}|${h.description ?? ""}`;
    if (this.reported.get(key) === sig) return;
    this.reported.set(key, sig);
    const r: TargetHealthReport = { targetGroupArn: tgArn, targetId: t.id, port: t.port, state: h.state, at: Date.now() };
    if (h.reason) r.reason = h.reason;
    if (h.description) r.description = h.description;
    this.log({ component: "lb", level: "info", msg: "target health", ...r });
    for (const l of this.healthListeners) l(r);
  }

  /** The state HAProxy should run: drained targets are gone from it. */
  private served(state: LbDesiredState): LbDesiredState {
    return { ...state, targetGroups: state.targetGroups.map((g) => ({ ...g, targets: g.targets.filter((t) => !this.drained.has(targetKey(g.arn, t))) })) };
  }

  private adminOf(tg: LbTargetGroup): Map<LbTarget, ServerAdmin> {
    return routing(tg.targets, (t) => this.health.get(targetKey(tg.arn, t)));
  }

  private async converge(state: LbDesiredState): Promise<void> {
    if (this.closed) return;
    this.state = state;
    const present = new Set<string>();
    for (const tg of state.targetGroups) {
      for (const t of tg.targets) {
        const key = targetKey(tg.arn, t);
        present.add(key);
        if (!t.draining) this.drained.delete(key);
        if (t.draining) {
          this.health.delete(key);
          if (!this.drained.has(key)) this.report(tg.arn, t, { state: "draining", reason: "Target.DeregistrationInProgress", description: "Target deregistration is in progress" });
        } else if (!this.health.has(key)) {
          const h = initialHealth(tg.healthCheck);
          this.health.set(key, h);
          this.report(tg.arn, t, h);
        }
      }
    }
    for (const key of [...this.health.keys()]) if (!present.has(key)) this.health.delete(key);
    for (const key of [...this.reported.keys()]) if (!present.has(key)) this.reported.delete(key);
    for (const key of [...this.drained]) if (!present.has(key)) this.drained.delete(key);

    await this.push();
    this.checker.sync(state.targetGroups, (g, t) => this.drained.has(targetKey(g.arn, t)));
    this.armDrainWatch();
  }

  /** Makes HAProxy run `served(this.state)`: start, reload, or runtime commands. */
  private async push(): Promise<void> {
    const served = this.served(this.state);
    const admins = new Map<string, ServerAdmin>();
    for (const tg of served.targetGroups) for (const [t, a] of this.adminOf(tg)) admins.set(targetKey(tg.arn, t), a);
    const compiled = compileHaproxyConfig(served, { adminSocket: this.proc.adminSocket, threads: this.threads, forwardMapPath: this.mapPath, serverState: (g, t) => admins.get(targetKey(g.arn, t)) ?? "maint" });
    for (const s of compiled.skipped) this.log({ component: "lb", level: "warn", msg: s.reason, listenerArn: s.listenerArn });
    const hasListeners = served.loadBalancers.some((lb) => lb.listeners.some((l) => l.protocol === "HTTP" || l.protocol === "TCP"));
    if (!hasListeners) {
      if (this.proc.running) await this.proc.stop();
      this.running = undefined;
      return;
    }
    const wanted = new Map<string, Map<string, { args: string; admin: ServerAdmin; tg: LbTargetGroup }>>();
    for (const tg of served.targetGroups) {
      const m = new Map<string, { args: string; admin: ServerAdmin; tg: LbTargetGroup }>();
      for (const t of tg.targets) m.set(serverName(t), { args: serverArgs(tg, t, !dynamicServersAllowed(tg)), admin: admins.get(targetKey(tg.arn, t)) ?? "maint", tg });
      wanted.set(backendName(tg), m);
    }
    const fresh = () => new Map([...wanted].map(([b, m]) => [b, new Map([...m].map(([s, v]) => [s, { args: v.args, admin: (v.admin === "drain" ? "maint" : v.admin) as ServerAdmin }]))]));
    const forwards = new Map(compiled.forwardMap ?? []);
    if (!this.proc.running || !this.running) {
      this.writeForwards(forwards);
      await this.proc.start(compiled.text);
      this.running = { structure: compiled.structure, servers: fresh(), forwards };
    } else if (this.running.structure !== compiled.structure || !(await this.forwardsDiff(forwards))) {
      this.writeForwards(forwards);
      await this.proc.reload(compiled.text);
      this.running = { structure: compiled.structure, servers: fresh(), forwards };
    } else {
      await this.runtimeDiff(wanted);
    }
    // Servers start as `disabled` (maint) in the file; the ones draining go to drain.
    await this.runtimeDiff(wanted);
  }

  /** The map file HAProxy (re)loads forwards from. */
  private writeForwards(forwards: Map<string, string>): void {
    mkdirSync(this.proc.dir, { recursive: true, mode: 0o700 });
    writeFileSync(this.mapPath, [...forwards].map(([k, v]) => `${k} ${v}\n`).join(""));
  }

  /** Same structure, other weights or target groups: `set map` per changed bucket, no reload; false when the runtime refused. */
  private async forwardsDiff(forwards: Map<string, string>): Promise<boolean> {
    const running = this.running!;
    const changed = [...forwards].filter(([k, v]) => running.forwards.get(k) !== v);
    if (changed.length === 0) return true;
    this.writeForwards(forwards);
    for (let i = 0; i < changed.length; i += 50) {
      const batch = changed.slice(i, i + 50);
      const ans = await this.cmd(batch.map(([k, v]) => `set map ${this.mapPath} ${k} ${v}`).join(";"));
      if (ans !== "") {
        // The runtime refused: the caller reloads from the file instead.
        this.log({ component: "lb", level: "warn", msg: "set map failed; reloading instead", answer: ans });
        return false;
      }
      for (const [k, v] of batch) running.forwards.set(k, v);
    }
    this.log({ component: "lb", level: "info", msg: "forwards changed at runtime", entries: changed.length });
    return true;
  }

  private async cmd(command: string): Promise<string> {
    const out = (await runtimeCommand(this.proc.adminSocket, command)).trim();
    this.log({ component: "lb", level: "debug", msg: "haproxy runtime", command, answer: out });
    return out;
  }

  private async runtimeDiff(wanted: Map<string, Map<string, { args: string; admin: ServerAdmin; tg: LbTargetGroup }>>): Promise<void> {
    const running = this.running!;
    let needReload = false;
    for (const [be, want] of wanted) {
      const have = running.servers.get(be) ?? new Map<string, { args: string; admin: ServerAdmin }>();
      running.servers.set(be, have);
      for (const [name, cur] of [...have]) {
        const w = want.get(name);
        if (w && w.args === cur.args) continue;
        // Gone (or changed address): out of rotation, then deleted once nothing uses it.
        await this.cmd(`set server ${be}/${name} state maint`);
        await this.cmd(`shutdown sessions server ${be}/${name}`);
        const ans = await this.cmd(`del server ${be}/${name}`);
        if (/deleted/i.test(ans)) have.delete(name);
        else {
          cur.admin = "maint";
          if (w) needReload = true;
        }
      }
      for (const [name, w] of want) {
        const cur = have.get(name);
        if (!cur) {
          const ans = await this.cmd(`add server ${be}/${name} ${w.args}`);
          if (!/registered/i.test(ans)) {
            this.log({ component: "lb", level: "warn", msg: "add server failed; reloading instead", backend: be, server: name, answer: ans });
            needReload = true;
            continue;
          }
          have.set(name, { args: w.args, admin: "maint" });
        }
        const now = have.get(name)!;
        if (now.admin !== w.admin) {
          await this.cmd(`set server ${be}/${name} state ${w.admin}`);
          now.admin = w.admin;
        }
      }
    }
    if (needReload) {
      // Fall back to a reload from the file as it stands (it lists every wanted server).
      const served = this.served(this.state);
      const compiled = compileHaproxyConfig(served, { adminSocket: this.proc.adminSocket, threads: this.threads, forwardMapPath: this.mapPath, serverState: (g, t) => (wanted.get(backendName(g))?.get(serverName(t))?.admin === "ready" ? "ready" : "maint") });
      const forwards = new Map(compiled.forwardMap ?? []);
      this.writeForwards(forwards);
      await this.proc.reload(compiled.text);
      this.running = { forwards, structure: compiled.structure, servers: new Map([...wanted].map(([b, m]) => [b, new Map([...m].map(([s, v]) => [s, { args: v.args, admin: (v.admin === "ready" ? "ready" : "maint") as ServerAdmin }]))])) };
      for (const [be, m] of wanted) for (const [name, v] of m) if (v.admin === "drain") await this.cmd(`set server ${be}/${name} state drain`);
    }
  }

  private onCheck(tg: LbTargetGroup, t: LbTarget, result: CheckResult): void {
    const key = targetKey(tg.arn, t);
    const before = this.health.get(key);
    if (!before || this.closed) return;
    const after = nextHealth(before, result, tg.healthCheck);
    this.health.set(key, after);
    if (after.state !== before.state || after.reason !== before.reason || after.description !== before.description) {
      this.report(tg.arn, t, after);
      if (after.state !== before.state) void this.serial(() => this.push()).catch((err) => this.log({ component: "lb", level: "error", msg: `applying a health change failed: ${(err as Error).message}` }));
    }
  }

  private armDrainWatch(): void {
    const draining = this.state.targetGroups.some((g) => g.targets.some((t) => t.draining && !this.drained.has(targetKey(g.arn, t))));
    if (draining && !this.drainTimer && !this.closed) {
      this.drainTimer = setInterval(() => void this.serial(() => this.checkDrains()).catch((err) => this.log({ component: "lb", level: "warn", msg: `drain check failed: ${(err as Error).message}` })), this.drainPollMs);
    } else if (!draining && this.drainTimer) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
    }
  }

  private async checkDrains(): Promise<void> {
    if (this.closed || !this.running) return;
    const stats = await showStat(this.proc.adminSocket);
    const scur = new Map(stats.map((r) => [`${r.pxname}/${r.svname}`, Number(r.scur || 0) + Number(r.qcur || 0)]));
    let changed = false;
    for (const tg of this.state.targetGroups) {
      for (const t of tg.targets) {
        const key = targetKey(tg.arn, t);
        if (!t.draining || this.drained.has(key)) continue;
        const inFlight = scur.get(`${backendName(tg)}/${serverName(t)}`) ?? 0;
        if (inFlight > 0 && (t.drainDeadline === undefined || Date.now() < t.drainDeadline)) continue;
        this.drained.add(key);
        changed = true;
        const d: DrainComplete = { targetGroupArn: tg.arn, targetId: t.id, port: t.port, at: Date.now() };
        this.log({ component: "lb", level: "info", msg: "target drained", inFlight, ...d });
        for (const l of this.drainListeners) l(d);
      }
    }
    if (changed) await this.push();
    this.armDrainWatch();
  }
}
