import { createHash } from "node:crypto";
import { compilePolicy, FIREWALL_PREFIX_RE } from "../../../core/network/compile-policy.js";
import { parseSave, planRestore } from "../../../core/network/iptables-plan.js";
import { EMPTY_NETWORK_POLICY, type NetworkPolicy } from "../../../core/network/security-policy.js";
import type { VpcBridge } from "../../../core/network/vpc-routes.js";
import { type BridgeNetfilterEnv, type BridgeNetfilterStatus, ensureBridgeNetfilter } from "./bridge-netfilter.js";
import { type IptablesBackend, systemIptables } from "./iptables.js";

/**
 * The agent's security group firewall: keeps the kernel's iptables in step with the latest
 * NetworkPolicy (src/core/network/security-policy.ts). Each change is compiled
 * (compile-policy.ts), diffed against `iptables-save` (iptables-plan.ts) and applied with one
 * `iptables-restore --noflush` touching only this agent's `WHARF-<id>-*` chains and its one hook
 * rule in DOCKER-USER (or FORWARD). Changes are coalesced: a burst of policies applies the
 * latest. A periodic resync repairs what someone else changed. `close()` removes every rule.
 *
 * It also routes between the subnets of one VPC on this host (src/core/network/vpc-routes.ts):
 * `bridges` lists the host's subnet networks with their VPCs (the agent reads Docker's Wharf
 * networks), read afresh at every pass; `networksChanged()` asks for a pass after the agent
 * created or removed one.
 *
 * It never fails the agent: without iptables (not root, not installed) or without bridge
 * netfilter it logs why, reports `enforcing: false` and keeps trying at each resync.
 */

export interface FirewallOptions {
  /** Chain prefix, `WHARF-` + 1–6 letters/digits; one per agent (see firewallPrefixFor). */
  prefix: string;
  iptables?: IptablesBackend;
  bridge?: BridgeNetfilterEnv;
  /** The host's subnet networks with their VPCs, for routing between one VPC's subnets (default: none). */
  bridges?: () => Promise<VpcBridge[]>;
  /** How often the kernel is re-read and repaired (default 10 s; 0: never). */
  resyncMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface FirewallStats {
  /** Restores run (each one transaction). */
  restores: number;
  /** Policies applied (including ones that needed no change). */
  applied: number;
  /** Whether the last attempt put the policy in force (false: no iptables or no bridge netfilter). */
  enforcing: boolean;
  lastError?: string;
  lastChange?: { written: string[]; removed: string[]; ms: number };
}

/** The prefix an agent uses: `WHARF-` and 6 hex digits of its container instance ARN. */
export const firewallPrefixFor = (containerInstanceArn: string): string =>
  `WHARF-${createHash("sha256").update(containerInstanceArn).digest("hex").slice(0, 6)}`;

export class SecurityGroupFirewall {
  private readonly iptables: IptablesBackend;
  private readonly log: (line: Record<string, unknown>) => void;
  private desired: NetworkPolicy = EMPTY_NETWORK_POLICY;
  /** Bumped per update; `done` is the generation last applied (or given up on). */
  private generation = 0;
  private done = 0;
  private running?: Promise<void>;
  private again = false;
  /** The next pass re-reads the kernel even if the policy compiles as last time (resync). */
  private force = true;
  /** The chain hashes last put in force (a pass compiling to the same skips the kernel). */
  private appliedKey?: string;
  private waiters: { gen: number; resolve: () => void }[] = [];
  private timer?: NodeJS.Timeout;
  private closed = false;
  /** Set by close(): the last pass routes nothing either. */
  private closing = false;
  private bridge?: BridgeNetfilterStatus;
  /** Whether anything of ours may be in the kernel (so an empty policy still needs a look). */
  private mayHaveRules = true;
  private lastLogged = "";
  readonly stats: FirewallStats = { restores: 0, applied: 0, enforcing: false };

  constructor(private readonly opts: FirewallOptions) {
    if (!FIREWALL_PREFIX_RE.test(opts.prefix)) throw new Error(`firewall prefix "${opts.prefix}" must match ${FIREWALL_PREFIX_RE}`);
    this.iptables = opts.iptables ?? systemIptables();
    this.log = opts.log ?? (() => undefined);
    const every = opts.resyncMs ?? 10_000;
    if (every > 0) {
      this.timer = setInterval(() => this.kick(true), every);
      this.timer.unref();
    }
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  /** Takes a new policy (the whole of it); resolves once it, or a later one, is applied. */
  update(policy: NetworkPolicy): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.desired = policy;
    this.generation++;
    this.kick();
    return this.settled();
  }

  /** The host's subnet networks changed (one created or removed): a pass re-reads them; `settled()` waits for it. */
  networksChanged(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.generation++;
    this.kick();
    return this.settled();
  }

  /** Resolves once every policy given so far has been applied (or failed, see stats). */
  settled(): Promise<void> {
    const gen = this.generation;
    if (this.done >= gen) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ gen, resolve }));
  }

  /** Removes every rule and chain of this prefix and stops. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.desired = EMPTY_NETWORK_POLICY;
    this.closing = true;
    this.generation++;
    this.mayHaveRules = true;
    this.kick(true);
    await this.settled();
    this.closed = true;
  }

  private kick(force = false): void {
    this.force ||= force;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        const gen = this.generation;
        const force = this.force;
        this.force = false;
        await this.applyOnce(this.desired, force);
        this.done = Math.max(this.done, gen);
        const ready = this.waiters.filter((w) => w.gen <= this.done);
        this.waiters = this.waiters.filter((w) => w.gen > this.done);
        for (const w of ready) w.resolve();
      } while (this.again);
      this.running = undefined;
    })();
  }

  private async applyOnce(policy: NetworkPolicy, force: boolean): Promise<void> {
    const started = performance.now();
    const bridges = this.closing || !this.opts.bridges ? [] : await this.opts.bridges().catch((err: Error) => {
      this.note("warn", "cannot list the subnet networks; subnets are not routed", { error: err.message });
      return [] as VpcBridge[];
    });
    const compiled = compilePolicy(policy, this.opts.prefix, bridges);
    const key = compiled.chains.map((c) => c.hash).join(",");
    if ((compiled.chains.length === 0 && !this.mayHaveRules) || (!force && key === this.appliedKey)) {
      this.stats.applied++;
      return;
    }
    this.appliedKey = undefined;
    let read = false;
    try {
      if (compiled.chains.length > 0 && !this.bridge?.ok) {
        this.bridge = await ensureBridgeNetfilter(this.opts.bridge);
        this.note(this.bridge.ok ? "info" : "warn", "bridge netfilter", { detail: this.bridge.detail });
      }
      const dump = await this.iptables.save();
      read = true;
      let plan = planRestore(compiled, parseSave(dump, this.opts.prefix), this.opts.prefix);
      if (plan.script) {
        try {
          await this.iptables.restore(plan.script);
        } catch {
          // Another writer (Docker) may have changed the table under us: plan again once.
          plan = planRestore(compiled, parseSave(await this.iptables.save(), this.opts.prefix), this.opts.prefix);
          if (plan.script) await this.iptables.restore(plan.script);
        }
        this.stats.restores++;
        this.stats.lastChange = { written: plan.written, removed: plan.removed, ms: performance.now() - started };
        this.log({ msg: "security group rules applied", prefix: this.opts.prefix, written: plan.written.length, removed: plan.removed.length, ms: Math.round(this.stats.lastChange.ms) });
      }
      this.mayHaveRules = compiled.chains.length > 0;
      this.appliedKey = key;
      this.stats.applied++;
      this.stats.enforcing = compiled.chains.length === 0 || !!this.bridge?.ok;
      this.stats.lastError = undefined;
      if (compiled.warnings.length) this.note("warn", "security group rules skipped", { warnings: compiled.warnings });
    } catch (err) {
      if (compiled.chains.length === 0 && !read) {
        // Nothing to enforce and the kernel cannot be read (not root, no iptables): nothing of ours can be there either.
        this.mayHaveRules = false;
        this.stats.applied++;
        return;
      }
      this.stats.enforcing = false;
      this.stats.lastError = (err as Error).message;
      this.note("error", "security groups are not enforced", { error: this.stats.lastError });
      // Try again soon rather than at the next resync only.
      if (!this.closed && this.timer) setTimeout(() => this.kick(true), 1000).unref();
    }
  }

  /** Logs a line once until it changes (resyncs would otherwise repeat it every time). */
  private note(level: string, msg: string, extra: Record<string, unknown>): void {
    const key = JSON.stringify([level, msg, extra]);
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    this.log({ level, msg, prefix: this.opts.prefix, ...extra });
  }
}
