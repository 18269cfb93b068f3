import type { LbDesiredState, LbHealthCheck, LbListener, LbTarget, LbTargetGroup } from "../../src/core/lb/data-plane-contract.js";

/** Small builders for LbDesiredState in tests. */
export const ARN = "arn:aws:elasticloadbalancing:us-east-1:000000000000";

export function healthCheck(over: Partial<LbHealthCheck> = {}): LbHealthCheck {
  return { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/", intervalSeconds: 5, timeoutSeconds: 2, healthyThresholdCount: 2, unhealthyThresholdCount: 2, httpCode: "200", ...over };
}

export function targetGroup(name: string, targets: LbTarget[], over: Partial<LbTargetGroup> = {}): LbTargetGroup {
  return {
    arn: `${ARN}:targetgroup/${name}/0123456789abcdef`,
    name,
    protocol: "HTTP",
    targetType: "ip",
    healthCheck: healthCheck(),
    algorithm: "round_robin",
    deregistrationDelaySeconds: 30,
    slowStartSeconds: 0,
    targets,
    ...over,
  };
}

export function target(address: string, port: number, over: Partial<LbTarget> = {}): LbTarget {
  return { id: address, address, port, draining: false, ...over };
}

export function httpListener(port: number, tg: LbTargetGroup, over: Partial<LbListener> = {}): LbListener {
  return {
    arn: `${ARN}:listener/app/lb/0123456789abcdef/${port}aaaa`,
    port,
    protocol: "HTTP",
    defaultAction: { type: "forward", targetGroups: [{ arn: tg.arn, weight: 1 }] },
    rules: [],
    ...over,
  };
}

export function desiredState(bindAddress: string, listeners: LbListener[], groups: LbTargetGroup[], name = "lb1"): LbDesiredState {
  return {
    loadBalancers: [
      { arn: `${ARN}:loadbalancer/app/${name}/0123456789abcdef`, name, type: "application", bindAddress, dnsName: `${name}.localhost`, idleTimeoutSeconds: 60, listeners },
    ],
    targetGroups: groups,
  };
}
