import { AwsError } from "../errors.js";

/**
 * ELB's attributes with their defaults: what DescribeLoadBalancerAttributes and
 * DescribeTargetGroupAttributes answer before anything was modified, and the checks
 * Modify…Attributes applies. Wharf's data plane acts on the ones the contract carries
 * (idle timeout; deregistration delay, stickiness, slow start, algorithm); the rest are stored
 * and described as ELB would, with no effect.
 */
const bad = (m: string) => new AwsError("ValidationError", m);

const ALB_ATTRIBUTES: Record<string, string> = {
  "access_logs.s3.enabled": "false",
  "access_logs.s3.bucket": "",
  "access_logs.s3.prefix": "",
  "client_keep_alive.seconds": "3600",
  "connection_logs.s3.enabled": "false",
  "connection_logs.s3.bucket": "",
  "connection_logs.s3.prefix": "",
  "deletion_protection.enabled": "false",
  "health_check_logs.s3.enabled": "false",
  "health_check_logs.s3.bucket": "",
  "health_check_logs.s3.prefix": "",
  "idle_timeout.timeout_seconds": "60",
  "load_balancing.cross_zone.enabled": "true",
  "routing.http.desync_mitigation_mode": "defensive",
  "routing.http.drop_invalid_header_fields.enabled": "false",
  "routing.http.preserve_host_header.enabled": "false",
  "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
  "routing.http.xff_client_port.enabled": "false",
  "routing.http.xff_header_processing.mode": "append",
  "routing.http2.enabled": "true",
  "waf.fail_open.enabled": "false",
  "zonal_shift.config.enabled": "false",
};

const NLB_ATTRIBUTES: Record<string, string> = {
  "access_logs.s3.enabled": "false",
  "access_logs.s3.bucket": "",
  "access_logs.s3.prefix": "",
  "deletion_protection.enabled": "false",
  "dns_record.client_routing_policy": "any_availability_zone",
  "load_balancing.cross_zone.enabled": "false",
  "zonal_shift.config.enabled": "false",
};

export function defaultLoadBalancerAttributes(type: "application" | "network"): Record<string, string> {
  return { ...(type === "application" ? ALB_ATTRIBUTES : NLB_ATTRIBUTES) };
}

export function defaultTargetGroupAttributes(protocol: string | undefined, targetType: string): Record<string, string> {
  const common = {
    "deregistration_delay.timeout_seconds": "300",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "stickiness.enabled": "false",
    "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
  };
  if (protocol === "TCP" || protocol === "TLS" || protocol === "UDP" || protocol === "TCP_UDP") {
    return {
      ...common,
      "deregistration_delay.connection_termination.enabled": "false",
      "preserve_client_ip.enabled": targetType === "instance" ? "true" : "false",
      "proxy_protocol_v2.enabled": "false",
      "stickiness.type": "source_ip",
      "target_health_state.unhealthy.connection_termination.enabled": "true",
      "target_health_state.unhealthy.draining_interval_seconds": "0",
    };
  }
  return {
    ...common,
    "load_balancing.algorithm.anomaly_mitigation": "off",
    "load_balancing.algorithm.type": "round_robin",
    "slow_start.duration_seconds": "0",
    "stickiness.app_cookie.cookie_name": "",
    "stickiness.app_cookie.duration_seconds": "86400",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.type": "lb_cookie",
  };
}

const BOOL = /^(true|false)$/;

function intIn(key: string, value: string, min: number, max: number, noun: string): void {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw bad(`${noun} '${value}' for attribute '${key}' must be an integer between ${min} and ${max}`);
  }
}

/** Checks one modification against what the resource has (`known`: its current attributes). */
function checkOne(known: Record<string, string>, key: string, value: string, noun: "Load balancer" | "Target group"): void {
  if (!Object.hasOwn(known, key)) throw bad(`${noun} attribute key '${key}' is not recognized`);
  if (key.endsWith(".enabled") && !BOOL.test(value) && key !== "load_balancing.cross_zone.enabled") {
    throw bad(`${noun} attribute '${key}' value '${value}' must be 'true' or 'false'`);
  }
  switch (key) {
    case "idle_timeout.timeout_seconds":
      return intIn(key, value, 1, 4000, "Value");
    case "client_keep_alive.seconds":
      return intIn(key, value, 60, 604800, "Value");
    case "deregistration_delay.timeout_seconds":
      return intIn(key, value, 0, 3600, "Value");
    case "slow_start.duration_seconds":
      if (value !== "0") intIn(key, value, 30, 900, "Value");
      return;
    case "stickiness.lb_cookie.duration_seconds":
    case "stickiness.app_cookie.duration_seconds":
      return intIn(key, value, 1, 604800, "Value");
    case "load_balancing.algorithm.type":
      if (value !== "round_robin" && value !== "least_outstanding_requests" && value !== "weighted_random") {
        throw bad(`Target group attribute '${key}' value '${value}' must be one of 'round_robin', 'least_outstanding_requests', 'weighted_random'`);
      }
      if (value === "weighted_random") throw bad("Wharf's data plane does not balance by 'weighted_random' yet; use 'round_robin' or 'least_outstanding_requests'");
      return;
    case "stickiness.type": {
      const ok = Object.hasOwn(known, "stickiness.lb_cookie.duration_seconds") ? ["lb_cookie", "app_cookie"] : ["source_ip"];
      if (!ok.includes(value)) throw bad(`Target group attribute '${key}' value '${value}' must be one of '${ok.join("', '")}'`);
      return;
    }
    case "routing.http.xff_header_processing.mode":
      if (!["append", "preserve", "remove"].includes(value)) throw bad(`Load balancer attribute '${key}' value '${value}' must be one of 'append', 'preserve', 'remove'`);
      return;
    case "routing.http.desync_mitigation_mode":
      if (!["monitor", "defensive", "strictest"].includes(value)) throw bad(`Load balancer attribute '${key}' value '${value}' must be one of 'monitor', 'defensive', 'strictest'`);
      return;
    default:
      return;
  }
}

/** The attributes after `changes` (each checked); the changed keys come back for the answer. */
export function modifyAttributes(
  current: Record<string, string>,
  changes: { Key?: string; Value?: string }[],
  noun: "Load balancer" | "Target group",
): Record<string, string> {
  const next = { ...current };
  for (const c of changes) {
    const key = c.Key ?? "";
    const value = c.Value ?? "";
    checkOne(current, key, value, noun);
    next[key] = value;
  }
  if (next["stickiness.enabled"] === "true" && next["stickiness.type"] === "app_cookie" && !next["stickiness.app_cookie.cookie_name"]) {
    throw bad("The 'stickiness.app_cookie.cookie_name' attribute must be specified when stickiness type is 'app_cookie'");
  }
  return next;
}

/** Attributes as ELB lists them: `[{Key, Value}]`, sorted by key. */
export const attributeList = (attrs: Record<string, string>): { Key: string; Value: string }[] =>
  Object.keys(attrs)
    .sort()
    .map((Key) => ({ Key, Value: attrs[Key]! }));
