import type { LbDesiredState, LbHealthCheck, LbLoadBalancer, LbTargetGroup, TargetProtocol } from "../../core/lb/data-plane-contract.js";
import { normalizeConditions, type RuleConditionIn } from "../../core/lb/conditions.js";
import { planeAction } from "./actions.js";
import type { ListenerDoc, LoadBalancerDoc, RuleDoc, TargetGroupDoc } from "./docs.js";
import { forwardedGroups } from "./usage.js";

export interface ElbDocs {
  loadBalancers: readonly LoadBalancerDoc[];
  targetGroups: readonly TargetGroupDoc[];
  listeners: readonly ListenerDoc[];
  rules: readonly RuleDoc[];
}

const num = (v: string | undefined, dflt: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : dflt);

function stickinessOf(a: Record<string, string>): LbTargetGroup["stickiness"] {
  if (a["stickiness.enabled"] !== "true") return undefined;
  switch (a["stickiness.type"]) {
    case "app_cookie":
      return { type: "app_cookie", durationSeconds: num(a["stickiness.app_cookie.duration_seconds"], 86400), cookieName: a["stickiness.app_cookie.cookie_name"] ?? "" };
    case "source_ip":
      return { type: "source_ip", durationSeconds: 0 };
    default:
      return { type: "lb_cookie", durationSeconds: num(a["stickiness.lb_cookie.duration_seconds"], 86400) };
  }
}

function healthCheckOf(tg: TargetGroupDoc): LbHealthCheck {
  const hc = tg.healthCheck;
  return {
    enabled: hc.enabled,
    protocol: (hc.protocol ?? tg.protocol ?? "TCP") as TargetProtocol,
    port: hc.port ?? "traffic-port",
    ...(hc.path !== undefined ? { path: hc.path } : {}),
    intervalSeconds: hc.intervalSeconds,
    timeoutSeconds: hc.timeoutSeconds,
    healthyThresholdCount: hc.healthyThresholdCount,
    unhealthyThresholdCount: hc.unhealthyThresholdCount,
    ...(hc.matcher?.HttpCode ? { httpCode: hc.matcher.HttpCode } : {}),
  };
}

function targetGroupOf(tg: TargetGroupDoc, nowMs: number): LbTargetGroup {
  const a = tg.attributes;
  const algorithm = a["load_balancing.algorithm.type"] === "least_outstanding_requests" ? "least_outstanding_requests" : "round_robin";
  const stickiness = stickinessOf(a);
  return {
    arn: tg.arn,
    name: tg.name,
    protocol: (tg.protocol ?? "TCP") as TargetProtocol,
    targetType: tg.targetType,
    healthCheck: healthCheckOf(tg),
    algorithm,
    deregistrationDelaySeconds: num(a["deregistration_delay.timeout_seconds"], 300),
    slowStartSeconds: num(a["slow_start.duration_seconds"], 0),
    ...(stickiness ? { stickiness } : {}),
    targets: tg.targets
      .filter((t) => t.drainDeadline === undefined || t.drainDeadline > nowMs)
      .map((t) => ({
        id: t.id,
        address: t.address,
        port: t.port,
        draining: t.deregisteredAt !== undefined,
        ...(t.drainDeadline !== undefined ? { drainDeadline: t.drainDeadline } : {}),
      })),
  };
}

/**
 * Everything the data plane should serve, from the ELBv2 store documents: every load balancer
 * with its listeners (by port) and their rules (by priority), and every target group some
 * listener or rule forwards to, with its live targets (draining ones flagged; a drain past its
 * deadline is over). Pure: the same documents and time give the same state.
 */
export function desiredState(docs: ElbDocs, nowMs: number): LbDesiredState {
  const used = new Set<string>();
  const loadBalancers: LbLoadBalancer[] = [...docs.loadBalancers]
    .sort((a, b) => (a.arn < b.arn ? -1 : 1))
    .map((lb) => ({
      arn: lb.arn,
      name: lb.name,
      type: lb.type,
      bindAddress: lb.bindAddress,
      dnsName: lb.dnsName,
      idleTimeoutSeconds: num(lb.attributes["idle_timeout.timeout_seconds"], 60),
      listeners: docs.listeners
        .filter((l) => l.loadBalancerArn === lb.arn)
        .sort((a, b) => a.port - b.port)
        .map((l) => {
          forwardedGroups(l.defaultActions).forEach((g) => used.add(g));
          const rules = docs.rules
            .filter((r) => r.listenerArn === l.arn)
            .sort((a, b) => a.priority - b.priority)
            .map((r) => {
              forwardedGroups(r.actions).forEach((g) => used.add(g));
              return { arn: r.arn, priority: r.priority, conditions: normalizeConditions(r.conditions as RuleConditionIn[]).plane, action: planeAction(r.actions[r.actions.length - 1]!) };
            });
          return { arn: l.arn, port: l.port, protocol: l.protocol as LbLoadBalancer["listeners"][number]["protocol"], defaultAction: planeAction(l.defaultActions[l.defaultActions.length - 1]!), rules };
        }),
    }));
  const targetGroups = docs.targetGroups
    .filter((tg) => used.has(tg.arn))
    .sort((a, b) => (a.arn < b.arn ? -1 : 1))
    .map((tg) => targetGroupOf(tg, nowMs));
  return { loadBalancers, targetGroups };
}

/** The earliest drain deadline after `nowMs` in the documents (when the state changes by time alone), or undefined. */
export function nextDrainDeadline(docs: Pick<ElbDocs, "targetGroups">, nowMs: number): number | undefined {
  let next: number | undefined;
  for (const tg of docs.targetGroups) for (const t of tg.targets) if (t.drainDeadline !== undefined && t.drainDeadline > nowMs && (next === undefined || t.drainDeadline < next)) next = t.drainDeadline;
  return next;
}
