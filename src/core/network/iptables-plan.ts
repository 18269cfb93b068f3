import { type CompiledFirewall, HASH_COMMENT_RE, ownedChainRe } from "./compile-policy.js";
import { routeChainName } from "./vpc-routes.js";

/**
 * The applier's diff, pure: what the kernel has (parsed from `iptables-save -t filter`) against
 * what the compiled policy wants → the smallest `iptables-restore --noflush` script that gets
 * there, touching only the prefix's own chains and its one hook rule. Declaring an existing
 * chain in a --noflush restore flushes it, so a changed chain is declared and refilled; chains
 * no longer wanted are flushed and deleted after every rule that jumps to them is gone; the
 * whole script is one transaction (one commit of the filter table).
 *
 * The hooks: `-j <prefix>-SG` is the first rule of DOCKER-USER (inserted at 1), and
 * `-j <prefix>-VPC` (routing, it ACCEPTs) comes after every Wharf `-SG` hook of any prefix and
 * before the chain's first plain `-j RETURN` (Docker's last rule; a rule after it is never
 * reached): so every agent's security groups have dropped what they refuse before any agent's
 * routes accept. A route hook found elsewhere is moved.
 */

/** A Wharf security group hook of any prefix, as iptables-save prints it after `-A <chain> `. */
const ANY_SG_HOOK_RE = /^-j WHARF-[A-Za-z0-9]{1,6}-SG$/;

/**
 * The lines that leave exactly one `-j <route>` in `chain` at its place (none when `route` is
 * undefined), given the chain's rules `sim` (updated in place); `name` is the prefix's route chain.
 */
function placeRouteHook(chain: string, sim: string[], route: string | undefined, name: string): string[] {
  const jump = `-j ${name}`;
  const lastSg = sim.reduce((at, r, i) => (ANY_SG_HOOK_RE.test(r) ? i : at), -1);
  const firstReturn = sim.indexOf("-j RETURN");
  const at = sim.flatMap((r, i) => (r === jump ? [i] : []));
  const placed = at.length === 1 && at[0]! > lastSg && (firstReturn < 0 || at[0]! < firstReturn);
  if (route && placed) return [];
  const lines: string[] = [];
  for (let n = at.length; n > 0; n--) {
    lines.push(`-D ${chain} ${jump}`);
    sim.splice(sim.indexOf(jump), 1);
  }
  if (!route) return lines;
  const sgAfter = sim.reduce((a, r, i) => (ANY_SG_HOOK_RE.test(r) ? i : a), -1);
  const ret = sim.indexOf("-j RETURN");
  let index = ret < 0 ? sim.length : ret;
  if (index <= sgAfter) index = sgAfter + 1;
  lines.push(index === sim.length ? `-A ${chain} ${jump}` : `-I ${chain} ${index + 1} ${jump}`);
  sim.splice(index, 0, jump);
  return lines;
}

/** Where the hook goes: Docker's chain for user rules, else FORWARD itself. */
export const HOOK_CHAINS = ["DOCKER-USER", "FORWARD"] as const;

export interface KernelChain {
  /** The hash of the leading `wharf:<hash>` comment, if the first rule is one. */
  hash?: string;
  /** Rules in the chain. */
  rules: number;
}

export interface KernelState {
  /** Every chain of the filter table (names). */
  chains: Set<string>;
  /** The prefix's own chains. */
  owned: Map<string, KernelChain>;
  /** Per hook chain: how many `-j <entry>` rules it holds. */
  hooks: Map<string, number>;
  /** Per hook chain: its rules in order, as `iptables-save` prints them after `-A <chain> `. */
  hookRules: Map<string, string[]>;
}

/** Reads the filter table of an `iptables-save` dump (other tables are ignored). */
export function parseSave(text: string, prefix: string): KernelState {
  const owned = ownedChainRe(prefix);
  const entryJump = ` -j ${prefix}-SG`;
  const state: KernelState = { chains: new Set(), owned: new Map(), hooks: new Map(), hookRules: new Map() };
  let inFilter = false;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("*")) {
      inFilter = line === "*filter";
      continue;
    }
    if (!inFilter) continue;
    if (line.startsWith(":")) {
      const name = line.slice(1).split(/\s+/)[0]!;
      state.chains.add(name);
      if (owned.test(name)) state.owned.set(name, { rules: 0 });
    } else if (line.startsWith("-A ")) {
      const name = line.slice(3).split(/\s+/)[0]!;
      const c = state.owned.get(name);
      if (c) {
        if (c.rules === 0) c.hash = HASH_COMMENT_RE.exec(line)?.[1];
        c.rules++;
      } else if ((HOOK_CHAINS as readonly string[]).includes(name)) {
        const list = state.hookRules.get(name) ?? [];
        list.push(line.slice(3 + name.length + 1));
        state.hookRules.set(name, list);
        if (line === `-A ${name}${entryJump}`) state.hooks.set(name, (state.hooks.get(name) ?? 0) + 1);
      }
    }
  }
  return state;
}

/** The hook chain to use on this kernel. */
export const hookChainFor = (state: KernelState): string => (state.chains.has("DOCKER-USER") ? "DOCKER-USER" : "FORWARD");

/** One argument as iptables-restore reads it. */
const quote = (a: string): string => (/^[^\s"'\\]+$/.test(a) ? a : `"${a.replace(/["\\]/g, "\\$&")}"`);

export interface RestorePlan {
  /** The script for `iptables-restore --noflush`, or undefined when the kernel already matches. */
  script?: string;
  /** Chains (re)written and removed, for logs and tests. */
  written: string[];
  removed: string[];
}

export function planRestore(want: CompiledFirewall, state: KernelState, prefix: string): RestorePlan {
  const entry = `${prefix}-SG`;
  const hookChain = hookChainFor(state);
  const written = want.chains.filter((c) => {
    const k = state.owned.get(c.name);
    return !k || k.hash !== c.hash || k.rules !== c.rules.length;
  });
  const wanted = new Set(want.chains.map((c) => c.name));
  const removed = [...state.owned.keys()].filter((n) => !wanted.has(n)).sort();
  const lines: string[] = [];
  for (const c of written) lines.push(`:${c.name} - [0:0]`);
  for (const c of written) for (const r of c.rules) lines.push(`-A ${c.name} ${r.map(quote).join(" ")}`);
  for (const hc of HOOK_CHAINS) {
    // The chain's rules as they will be after each line so far (rule numbers of later inserts).
    const sim = [...(state.hookRules.get(hc) ?? [])];
    const have = state.hooks.get(hc) ?? 0;
    const keep = want.entry && hc === hookChain ? 1 : 0;
    const entryJump = `-j ${entry}`;
    if (keep && have === 0) {
      lines.push(`-I ${hc} 1 ${entryJump}`);
      sim.unshift(entryJump);
    }
    for (let i = keep; i < have; i++) {
      lines.push(`-D ${hc} ${entryJump}`);
      sim.splice(sim.indexOf(entryJump), 1);
    }
    lines.push(...placeRouteHook(hc, sim, want.routes && hc === hookChain ? want.routes : undefined, routeChainName(prefix)));
  }
  for (const n of removed) lines.push(`-F ${n}`);
  for (const n of removed) lines.push(`-X ${n}`);
  if (lines.length === 0) return { written: [], removed: [] };
  return { script: `*filter\n${lines.join("\n")}\nCOMMIT\n`, written: written.map((c) => c.name), removed };
}
