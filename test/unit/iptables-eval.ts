import { parseCidr, cidrContains, parseIpv4 } from "../../src/core/network/ipv4.js";

/**
 * A tiny evaluator of the iptables rules the security group compiler emits (filter table,
 * one traversal of FORWARD): enough of iptables' matching to check the compiled rules against
 * EC2's semantics. Any argument it does not understand throws, so the compiler cannot emit
 * something this evaluator silently ignores.
 */

export interface Packet {
  src: string;
  dst: string;
  /** IANA protocol number. */
  proto: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  ctstate: "NEW" | "ESTABLISHED" | "RELATED" | "INVALID";
}

const PROTOS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

function ruleMatches(rule: string[], p: Packet): { match: boolean; target?: string } {
  let i = 0;
  let match = true;
  let target: string | undefined;
  let proto: number | undefined;
  const next = () => {
    const v = rule[++i];
    if (v === undefined) throw new Error(`missing value in ${rule.join(" ")}`);
    return v;
  };
  for (; i < rule.length; i++) {
    const a = rule[i]!;
    switch (a) {
      case "-s":
      case "-d": {
        const c = parseCidr(next());
        if (!c) throw new Error(`bad address in ${rule.join(" ")}`);
        if (!cidrContains(c, parseIpv4(a === "-s" ? p.src : p.dst)!)) match = false;
        break;
      }
      case "-p": {
        const v = next();
        proto = v in PROTOS ? PROTOS[v]! : Number(v);
        if (!Number.isInteger(proto) || proto <= 0) throw new Error(`bad protocol ${v}`);
        if (p.proto !== proto) match = false;
        break;
      }
      case "--dport": {
        if (proto !== 6 && proto !== 17) throw new Error("--dport without -p tcp/udp");
        const [lo, hi] = next().split(":").map(Number) as [number, number?];
        if (p.dport === undefined || p.dport < lo || p.dport > (hi ?? lo)) match = false;
        break;
      }
      case "--icmp-type": {
        if (proto !== 1) throw new Error("--icmp-type without -p icmp");
        const [t, c] = next().split("/").map(Number) as [number, number?];
        if (p.icmpType !== t || (c !== undefined && p.icmpCode !== c)) match = false;
        break;
      }
      case "-m": {
        const m = next();
        if (m !== "conntrack" && m !== "comment") throw new Error(`unknown match ${m}`);
        break;
      }
      case "--ctstate":
        if (!next().split(",").includes(p.ctstate)) match = false;
        break;
      case "--comment":
        next();
        break;
      case "-j":
        target = next();
        break;
      default:
        throw new Error(`unknown argument ${a} in ${rule.join(" ")}`);
    }
  }
  return { match, target };
}

/** Runs `chain` on the packet: "DROP", or "RETURN" when it returns / falls through. */
export function runChain(chains: ReadonlyMap<string, string[][]>, chain: string, p: Packet, depth = 0): "DROP" | "RETURN" {
  if (depth > 8) throw new Error("chain loop");
  const rules = chains.get(chain);
  if (!rules) throw new Error(`no chain ${chain}`);
  for (const r of rules) {
    const { match, target } = ruleMatches(r, p);
    if (!match || target === undefined) continue;
    if (target === "DROP") return "DROP";
    if (target === "RETURN") return "RETURN";
    if (target === "ACCEPT") throw new Error("the compiler must never ACCEPT");
    if (runChain(chains, target, p, depth + 1) === "DROP") return "DROP";
  }
  return "RETURN";
}
