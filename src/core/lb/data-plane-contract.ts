/**
 * The load balancer contract: what the ELBv2 API (src/api/elbv2/) tells the data plane
 * (src/lb/) to serve, and what the data plane reports back. Pure types, importable by both sides.
 *
 * The API side derives one `LbDesiredState` from its store (load balancers, listeners, rules,
 * target groups with their attributes and registered targets) and hands the whole of it to the
 * data plane whenever any of those change (level-triggered: the data plane diffs against what it
 * runs). The data plane reports `TargetHealthReport`s as its health checks change state, and
 * `DrainComplete` when a deregistered target has nothing in flight any more (or its
 * deregistration delay ran out); the API side turns them into DescribeTargetHealth answers.
 *
 * Names and values are ELBv2's own (botocore elbv2 model) wherever ELB has one.
 */

export type LbType = "application" | "network";
export type ListenerProtocol = "HTTP" | "HTTPS" | "TCP" | "UDP" | "TLS" | "TCP_UDP";
export type TargetProtocol = "HTTP" | "HTTPS" | "TCP" | "UDP" | "TLS" | "TCP_UDP";

/** A target of a group: an address (ip targets; for instance targets the API resolves the instance's address). */
export interface LbTarget {
  /** As registered: an IP address (`ip`) or an instance id (`instance`). */
  id: string;
  /** The address to connect to. */
  address: string;
  port: number;
  /** Deregistered and draining: receives no new requests; in-flight ones may finish. */
  draining: boolean;
  /** Epoch ms at which the drain must end at the latest (registration time + deregistration delay). */
  drainDeadline?: number;
}

export interface LbHealthCheck {
  enabled: boolean;
  protocol: TargetProtocol;
  /** "traffic-port" or a number as a string, as ELB stores it. */
  port: string;
  /** HTTP(S) only. */
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** HTTP(S) only: ELB's Matcher.HttpCode, e.g. "200", "200-299", "200,302". */
  httpCode?: string;
}

export interface LbTargetGroup {
  arn: string;
  name: string;
  protocol: TargetProtocol;
  targetType: "instance" | "ip";
  healthCheck: LbHealthCheck;
  /** `load_balancing.algorithm.type`. */
  algorithm: "round_robin" | "least_outstanding_requests";
  /** `deregistration_delay.timeout_seconds`. */
  deregistrationDelaySeconds: number;
  /** `slow_start.duration_seconds` (0 = off). */
  slowStartSeconds: number;
  /** `stickiness.enabled` with `stickiness.type` lb_cookie and `stickiness.lb_cookie.duration_seconds`. */
  stickiness?: { type: "lb_cookie" | "app_cookie" | "source_ip"; durationSeconds: number; cookieName?: string };
  targets: LbTarget[];
}

/** A rule condition, ELB's `RuleCondition` reduced to its values (all values OR, all conditions AND). */
export type LbCondition =
  | { field: "path-pattern"; values: string[] }
  | { field: "host-header"; values: string[] }
  | { field: "http-request-method"; values: string[] }
  | { field: "source-ip"; values: string[] }
  | { field: "http-header"; headerName: string; values: string[] }
  | { field: "query-string"; values: { key?: string; value: string }[] };

export type LbAction =
  | { type: "forward"; targetGroups: { arn: string; weight: number }[]; stickinessSeconds?: number }
  | { type: "fixed-response"; statusCode: string; contentType?: string; messageBody?: string }
  | {
      type: "redirect";
      statusCode: "HTTP_301" | "HTTP_302";
      protocol?: string;
      host?: string;
      port?: string;
      path?: string;
      query?: string;
    };

export interface LbRule {
  arn: string;
  /** 1..50000; the default rule is the listener's `defaultAction`, not a rule here. */
  priority: number;
  conditions: LbCondition[];
  /** The first action that ends the request (forward / fixed-response / redirect). */
  action: LbAction;
}

export interface LbListener {
  arn: string;
  port: number;
  protocol: ListenerProtocol;
  defaultAction: LbAction;
  /** By ascending priority. */
  rules: LbRule[];
}

export interface LbLoadBalancer {
  arn: string;
  name: string;
  type: LbType;
  /** The address the data plane binds this load balancer's listeners to (one loopback address each). */
  bindAddress: string;
  dnsName: string;
  /** `idle_timeout.timeout_seconds` (application). */
  idleTimeoutSeconds: number;
  listeners: LbListener[];
}

/** Everything the data plane should serve; the data plane converges on it. */
export interface LbDesiredState {
  loadBalancers: LbLoadBalancer[];
  /** Every target group referenced by any listener or rule (others need no health checks). */
  targetGroups: LbTargetGroup[];
}

/** ELB's TargetHealth: State and Reason as DescribeTargetHealth shows them. */
export type TargetHealthState = "initial" | "healthy" | "unhealthy" | "unused" | "draining" | "unavailable";
export type TargetHealthReason =
  | "Elb.RegistrationInProgress"
  | "Elb.InitialHealthChecking"
  | "Target.ResponseCodeMismatch"
  | "Target.Timeout"
  | "Target.FailedHealthChecks"
  | "Target.NotRegistered"
  | "Target.NotInUse"
  | "Target.DeregistrationInProgress"
  | "Target.InvalidState"
  | "Target.IpUnusable"
  | "Target.HealthCheckDisabled"
  | "Elb.InternalError";

export interface TargetHealthReport {
  targetGroupArn: string;
  targetId: string;
  port: number;
  state: TargetHealthState;
  reason?: TargetHealthReason;
  description?: string;
  /** Epoch ms of the observation. */
  at: number;
}

export interface DrainComplete {
  targetGroupArn: string;
  targetId: string;
  port: number;
  /** Epoch ms. */
  at: number;
}

/** What the API side calls; the data plane implements it (src/lb/). */
export interface LbDataPlane {
  /** Converge on this state (idempotent; called again on every change). */
  apply(state: LbDesiredState): Promise<void>;
  onHealth(listener: (r: TargetHealthReport) => void): void;
  onDrained(listener: (d: DrainComplete) => void): void;
  close(): Promise<void>;
}
