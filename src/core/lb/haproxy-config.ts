import type { LbDesiredState, LbListener, LbLoadBalancer, LbTarget, LbTargetGroup } from "./data-plane-contract.js";
import { backendName, frontendName, serverAddress, serverCookie, serverName } from "./haproxy-names.js";
import { listenerRoutingLines, type ForwardMap } from "./haproxy-rules.js";

/**
 * LbDesiredState → haproxy.cfg text (pure). One frontend per (load balancer bind address,
 * listener port): mode http for HTTP listeners with the rules in priority order, mode tcp for TCP
 * listeners. One backend per target group: roundrobin or leastconn, lb_cookie stickiness as
 * `cookie AWSALB insert`, slow start, one server per registered target.
 *
 * Health is not HAProxy's: Wharf's own checker (src/lb/health-checker.ts) decides which servers
 * take traffic and sets their admin state through the runtime API (ready / maint / drain, with
 * ELB's fail-open). `serverState` says what each server starts as after a (re)load.
 */

export type ServerAdmin = "ready" | "maint" | "drain";

export interface HaproxyConfigOptions {
  /** The worker's runtime API socket (level admin). */
  adminSocket: string;
  /** The admin state each server starts in; default ready. */
  serverState?: (tg: LbTargetGroup, target: LbTarget) => ServerAdmin;
  /** Worker threads (`nbthread`); HAProxy's default (one per CPU) when unset. */
  threads?: number;
  /**
   * Where HTTP listeners' forwards are looked up (haproxy-rules.ts `ForwardMap`): with it, which
   * target groups a forward sends to (and their weights) is `forwardMap`'s content, not the
   * structure, so moving traffic needs no reload. Without it, forwards are literal lines.
   */
  forwardMapPath?: string;
}

export interface CompiledHaproxyConfig {
  text: string;
  /**
   * The config without the server lines the runtime API can change in place (`add server`,
   * `del server`, `set server … state`): when only this stays equal, no reload is needed.
   */
  structure: string;
  /** Listeners left out, with why (HTTPS/TLS/UDP are not served here). */
  skipped: { listenerArn: string; reason: string }[];
  /** With `forwardMapPath`: the map's `key value` lines (write the file before a (re)load). */
  forwardMap?: [string, string][];
}

/** The weight of every server: 100 so that slow start has steps to ramp through. */
export const SERVER_WEIGHT = 100;
/** NLB's fixed idle timeout for TCP flows. */
const TCP_IDLE_SECONDS = 350;

/** Whether a group's servers can be added at runtime (HAProxy 2.6 refuses `cookie` on dynamic servers). */
export function dynamicServersAllowed(tg: LbTargetGroup): boolean {
  return !(tg.stickiness && tg.stickiness.type === "lb_cookie");
}

/** The `server` line's arguments after its name (as `add server` takes them, too). */
export function serverArgs(tg: LbTargetGroup, target: LbTarget, withCookie: boolean): string {
  const parts = [serverAddress(target), `weight ${SERVER_WEIGHT}`];
  if (tg.slowStartSeconds > 0) parts.push(`slowstart ${tg.slowStartSeconds}s`);
  if (withCookie) parts.push(`cookie ${serverCookie(target)}`);
  return parts.join(" ");
}

function serverLine(tg: LbTargetGroup, target: LbTarget, state: ServerAdmin): string {
  const sticky = !dynamicServersAllowed(tg);
  return `  server ${serverName(target)} ${serverArgs(tg, target, sticky)}${state === "ready" ? "" : " disabled"}`;
}

function httpFrontend(lb: LbLoadBalancer, l: LbListener, groups: Map<string, LbTargetGroup>, entries?: [string, string][], mapPath?: string): string[] {
  const fm: ForwardMap | undefined = entries && mapPath ? { path: mapPath, prefix: frontendName(lb, l), entries, count: 0 } : undefined;
  return [
    `frontend ${frontendName(lb, l)}`,
    "  mode http",
    `  bind ${lb.bindAddress}:${l.port}`,
    `  timeout client ${lb.idleTimeoutSeconds}s`,
    `  timeout http-keep-alive ${lb.idleTimeoutSeconds}s`,
    "  option forwardfor",
    "  http-request set-header X-Forwarded-Proto http",
    `  http-request set-header X-Forwarded-Port ${l.port}`,
    // ALB's trace id: Root=1-<epoch seconds, 8 hex>-<24 hex>, kept when the client sent one.
    '  http-request set-header X-Amzn-Trace-Id "Root=1-%[date,bytes(4,4),hex,lower]-%[rand,bytes(4,4),hex,lower]%[rand,bytes(4,4),hex,lower]%[rand,bytes(4,4),hex,lower]" unless { req.hdr(x-amzn-trace-id) -m found }',
    ...listenerRoutingLines(l, groups, fm),
  ];
}

function tcpFrontend(lb: LbLoadBalancer, l: LbListener, groups: Map<string, LbTargetGroup>): string[] {
  const a = l.defaultAction;
  const arn = a.type === "forward" ? (a.targetGroups.find((g) => g.weight > 0 && groups.has(g.arn)) ?? a.targetGroups.find((g) => groups.has(g.arn)))?.arn : undefined;
  const lines = [`frontend ${frontendName(lb, l)}`, "  mode tcp", `  bind ${lb.bindAddress}:${l.port}`, `  timeout client ${TCP_IDLE_SECONDS}s`];
  if (arn) lines.push(`  default_backend ${backendName(groups.get(arn)!)}`);
  else lines.push("  tcp-request connection reject");
  return lines;
}

function backend(tg: LbTargetGroup, idleSeconds: number, state: (tg: LbTargetGroup, t: LbTarget) => ServerAdmin): { head: string[]; servers: string[]; fixed: string[] } {
  const http = tg.protocol === "HTTP" || tg.protocol === "HTTPS";
  const head = [`backend ${backendName(tg)}`, `  mode ${http ? "http" : "tcp"}`, `  balance ${tg.algorithm === "least_outstanding_requests" ? "leastconn" : "roundrobin"}`];
  head.push(`  timeout server ${http ? idleSeconds : TCP_IDLE_SECONDS}s`);
  if (http) head.push("  http-reuse safe");
  if (http && tg.stickiness?.type === "lb_cookie") {
    const d = tg.stickiness.durationSeconds;
    head.push(`  cookie AWSALB insert indirect nocache maxlife ${d}s attr "Max-Age=${d}"`);
  }
  const servers = tg.targets.map((t) => serverLine(tg, t, state(tg, t)));
  // What a reload must change: the servers themselves when they cannot be added at runtime.
  const fixed = dynamicServersAllowed(tg) ? [] : tg.targets.map((t) => serverLine(tg, t, "ready"));
  return { head, servers, fixed };
}

export function compileHaproxyConfig(state: LbDesiredState, options: HaproxyConfigOptions): CompiledHaproxyConfig {
  const groups = new Map(state.targetGroups.map((g) => [g.arn, g]));
  const serverState = options.serverState ?? (() => "ready" as const);
  const maxDrain = Math.max(30, ...state.targetGroups.map((g) => g.deregistrationDelaySeconds));
  const global = [
    "global",
    "  master-worker",
    `  stats socket ${options.adminSocket} mode 600 level admin`,
    "  stats timeout 30s",
    ...(options.threads ? [`  nbthread ${options.threads}`] : []),
    // Old workers after a reload finish their in-flight requests, within the longest drain.
    `  hard-stop-after ${maxDrain + 10}s`,
    "",
    "defaults",
    "  timeout connect 5s",
    "  timeout client 60s",
    "  timeout server 60s",
    "  timeout queue 30s",
    "  option redispatch",
    "  retries 3",
  ];
  const skipped: CompiledHaproxyConfig["skipped"] = [];
  const frontends: string[][] = [];
  const forwardMap: [string, string][] | undefined = options.forwardMapPath ? [] : undefined;
  const idleOf = new Map<string, number>();
  for (const lb of state.loadBalancers) {
    for (const l of lb.listeners) {
      if (l.protocol === "HTTP") frontends.push(httpFrontend(lb, l, groups, forwardMap, options.forwardMapPath));
      else if (l.protocol === "TCP") frontends.push(tcpFrontend(lb, l, groups));
      else {
        skipped.push({ listenerArn: l.arn, reason: `${l.protocol} listeners are not served by this data plane` });
        continue;
      }
      for (const a of [l.defaultAction, ...l.rules.map((r) => r.action)]) {
        if (a.type === "forward") for (const g of a.targetGroups) if (!idleOf.has(g.arn)) idleOf.set(g.arn, lb.idleTimeoutSeconds);
      }
    }
  }
  const backends = state.targetGroups.map((tg) => ({ tg, ...backend(tg, idleOf.get(tg.arn) ?? 60, serverState) }));
  const join = (blocks: string[][]) => blocks.map((b) => b.join("\n")).join("\n\n") + "\n";
  const text = join([global, ...frontends, ...backends.map((b) => [...b.head, ...b.servers])]);
  const structure = join([global, ...frontends, ...backends.map((b) => [...b.head, ...b.fixed])]);
  return { text, structure, skipped, ...(forwardMap ? { forwardMap } : {}) };
}
