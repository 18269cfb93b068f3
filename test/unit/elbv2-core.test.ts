import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { desiredState, nextDrainDeadline, type ElbDocs } from "../../src/api/elbv2/desired-state.js";
import type { ListenerDoc, LoadBalancerDoc, RuleDoc, TargetGroupDoc } from "../../src/api/elbv2/docs.js";
import { targetHealthOf } from "../../src/api/elbv2/targets.js";
import { defaultTargetGroupAttributes, modifyAttributes } from "../../src/core/lb/attributes.js";
import { normalizeConditions, priorityClash } from "../../src/core/lb/conditions.js";
import { healthCheckSettings } from "../../src/core/lb/health-check.js";
import { checkElbName } from "../../src/core/lb/names.js";

const code = (f: () => unknown): string => {
  try {
    f();
    return "(no error)";
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe("ELBv2 rule conditions", () => {
  it("stores host-header and path-pattern with Values and their config; others with their config only", () => {
    const { stored, plane } = normalizeConditions([
      { Field: "path-pattern", Values: ["/api/*"] },
      { Field: "host-header", HostHeaderConfig: { Values: ["a.example", "*.b.example"] } },
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["dev"] } },
    ]);
    assert.deepEqual(stored, [
      { Field: "path-pattern", PathPatternConfig: { Values: ["/api/*"] }, Values: ["/api/*"] },
      { Field: "host-header", HostHeaderConfig: { Values: ["a.example", "*.b.example"] }, Values: ["a.example", "*.b.example"] },
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["dev"] } },
    ]);
    assert.deepEqual(plane, [
      { field: "path-pattern", values: ["/api/*"] },
      { field: "host-header", values: ["a.example", "*.b.example"] },
      { field: "http-header", headerName: "X-Env", values: ["dev"] },
    ]);
  });

  it("refuses what ELB refuses", () => {
    const refused = [
      [{ Field: "path-pattern", Values: ["/a"] }, { Field: "path-pattern", Values: ["/b"] }],
      [{ Field: "source-ip", Values: ["10.0.0.0/8"] }],
      [{ Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.300/8"] } }],
      [{ Field: "http-request-method", HttpRequestMethodConfig: { Values: ["get"] } }],
      [{ Field: "http-header", HttpHeaderConfig: { Values: ["x"] } }],
      [{ Field: "query-string", QueryStringConfig: { Values: [{ Key: "a" }] } }],
      [{ Field: "path-pattern", Values: ["/a", "/b", "/c", "/d", "/e", "/f"] }],
      [{ Field: "cookie", Values: ["x"] }],
      [{ Field: "path-pattern", Values: ["/a"], PathPatternConfig: { Values: ["/b"] } }],
    ];
    for (const c of refused) assert.equal(code(() => normalizeConditions(c)), "ValidationError", JSON.stringify(c));
    assert.equal(code(() => normalizeConditions([{ Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/8", "2001:db8::/32"] } }])), "(no error)");
  });

  it("priority clashes are the call's: a moved rule may take a priority another gives up", () => {
    const held = new Map([["a", 1], ["b", 2]]);
    assert.equal(priorityClash(held, new Map([["a", 2]])), 2);
    assert.equal(priorityClash(held, new Map([["a", 2], ["b", 1]])), undefined);
    assert.equal(priorityClash(held, new Map([["a", 3]])), undefined);
  });
});

describe("ELBv2 settings", () => {
  it("health check defaults per protocol", () => {
    assert.deepEqual(healthCheckSettings("HTTP", {}), { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/", intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: { HttpCode: "200" } });
    assert.deepEqual(healthCheckSettings("TCP", {}), { enabled: true, protocol: "TCP", port: "traffic-port", intervalSeconds: 30, timeoutSeconds: 10, healthyThresholdCount: 5, unhealthyThresholdCount: 2 });
    const httpOfTcp = healthCheckSettings("TCP", { HealthCheckProtocol: "HTTP" });
    assert.deepEqual([httpOfTcp.path, httpOfTcp.timeoutSeconds, httpOfTcp.matcher?.HttpCode], ["/", 6, "200-399"]);
    assert.equal(code(() => healthCheckSettings("HTTP", { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5 })), "ValidationError");
    assert.equal(code(() => healthCheckSettings("TCP", { HealthCheckPath: "/x" })), "ValidationError");
    const base = healthCheckSettings("HTTP", { HealthCheckPath: "/health" });
    assert.equal(healthCheckSettings("HTTP", { HealthyThresholdCount: 2 }, base).path, "/health", "ModifyTargetGroup keeps what it does not change");
  });

  it("names and attributes", () => {
    for (const n of ["-a", "a-", "internal-x", "a_b", "x".repeat(33)]) assert.equal(code(() => checkElbName(n, "load balancer")), "ValidationError", n);
    assert.equal(code(() => checkElbName("internal-x", "target group")), "(no error)");
    const a = defaultTargetGroupAttributes("HTTP", "ip");
    assert.equal(modifyAttributes(a, [{ Key: "slow_start.duration_seconds", Value: "30" }], "Target group")["slow_start.duration_seconds"], "30");
    for (const [k, v] of [["slow_start.duration_seconds", "10"], ["deregistration_delay.timeout_seconds", "3601"], ["stickiness.type", "source_ip"], ["stickiness.enabled", "yes"], ["no.such", "1"]]) {
      assert.equal(code(() => modifyAttributes(a, [{ Key: k, Value: v }], "Target group")), "ValidationError", k);
    }
  });

  it("target health: draining, unused, unavailable without a data plane, initial until a report after registration", () => {
    const t = { id: "10.0.0.1", port: 80, address: "10.0.0.1", registeredAt: 1000 };
    const o = { inUse: true, dataPlane: true, checksEnabled: true };
    assert.equal(targetHealthOf({ ...t, deregisteredAt: 2000, drainDeadline: 9000 }, o).State, "draining");
    assert.equal(targetHealthOf(t, { ...o, inUse: false }).Reason, "Target.NotInUse");
    assert.equal(targetHealthOf(t, { ...o, dataPlane: false }).State, "unavailable");
    assert.equal(targetHealthOf(t, { ...o, checksEnabled: false }).Reason, "Target.HealthCheckDisabled");
    const stale = { targetGroupArn: "tg", targetId: t.id, port: 80, state: "healthy" as const, at: 500 };
    assert.equal(targetHealthOf(t, { ...o, report: stale }).Reason, "Elb.RegistrationInProgress", "a report from before this registration does not count");
    assert.equal(targetHealthOf(t, { ...o, report: { ...stale, at: 1500 } }).State, "healthy");
  });
});

describe("ELBv2 desired state", () => {
  const lb: LoadBalancerDoc = {
    region: "us-east-1", arn: "lb1", tags: [], name: "web", id: "1", type: "application", scheme: "internet-facing", ipAddressType: "ipv4", vpcId: "vpc-1",
    subnets: [], securityGroups: [], dnsName: "web-1.us-east-1.elb.localhost", bindAddress: "127.77.0.1", createdTime: 0, activeAt: 0,
    attributes: { "idle_timeout.timeout_seconds": "30" },
  };
  const tg = (arn: string, targets: TargetGroupDoc["targets"] = []): TargetGroupDoc => ({
    region: "us-east-1", arn, tags: [], name: arn, id: arn, targetType: "ip", protocol: "HTTP", port: 80, vpcId: "vpc-1", ipAddressType: "ipv4",
    healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/", intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, matcher: { HttpCode: "200" } },
    attributes: { ...defaultTargetGroupAttributes("HTTP", "ip"), "stickiness.enabled": "true" },
    targets,
  });
  const forward = (arn: string) => ({ Type: "forward", TargetGroupArn: arn, Order: 1, ForwardConfig: { TargetGroups: [{ TargetGroupArn: arn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } } });
  const listener: ListenerDoc = { region: "us-east-1", arn: "l1", tags: [], id: "l", defaultRuleId: "d", loadBalancerArn: "lb1", port: 80, protocol: "HTTP", defaultActions: [forward("tg-a")] };
  const rules: RuleDoc[] = [
    { region: "us-east-1", arn: "r2", tags: [], listenerArn: "l1", loadBalancerArn: "lb1", priority: 20, conditions: [{ Field: "path-pattern", Values: ["/b/*"], PathPatternConfig: { Values: ["/b/*"] } }], actions: [{ Type: "fixed-response", Order: 1, FixedResponseConfig: { StatusCode: "503" } }] },
    { region: "us-east-1", arn: "r1", tags: [], listenerArn: "l1", loadBalancerArn: "lb1", priority: 10, conditions: [{ Field: "path-pattern", Values: ["/a/*"], PathPatternConfig: { Values: ["/a/*"] } }], actions: [forward("tg-b")] },
  ];
  const docs: ElbDocs = {
    loadBalancers: [lb],
    listeners: [listener],
    rules,
    targetGroups: [
      tg("tg-a", [
        { id: "10.0.0.1", port: 80, address: "10.0.0.1", registeredAt: 0 },
        { id: "10.0.0.2", port: 80, address: "10.0.0.2", registeredAt: 0, deregisteredAt: 100, drainDeadline: 5000 },
        { id: "10.0.0.3", port: 80, address: "10.0.0.3", registeredAt: 0, deregisteredAt: 100, drainDeadline: 900 },
      ]),
      tg("tg-b"),
      tg("tg-unused"),
    ],
  };

  it("derives listeners, rules by priority and the groups in use, with live targets", () => {
    const s = desiredState(docs, 1000);
    assert.equal(s.loadBalancers[0]!.idleTimeoutSeconds, 30);
    assert.equal(s.loadBalancers[0]!.bindAddress, "127.77.0.1");
    const l = s.loadBalancers[0]!.listeners[0]!;
    assert.deepEqual(l.defaultAction, { type: "forward", targetGroups: [{ arn: "tg-a", weight: 1 }] });
    assert.deepEqual(l.rules.map((r) => [r.priority, r.action.type]), [[10, "forward"], [20, "fixed-response"]]);
    assert.deepEqual(s.targetGroups.map((t) => t.arn), ["tg-a", "tg-b"]);
    const a = s.targetGroups[0]!;
    assert.deepEqual(a.targets.map((t) => [t.id, t.draining]), [["10.0.0.1", false], ["10.0.0.2", true]], "a drain past its deadline is over");
    assert.deepEqual(a.stickiness, { type: "lb_cookie", durationSeconds: 86400 });
    assert.equal(a.deregistrationDelaySeconds, 300);
    assert.deepEqual(desiredState(docs, 1000), s, "pure");
    assert.equal(nextDrainDeadline(docs, 1000), 5000);
    assert.equal(nextDrainDeadline(docs, 6000), undefined);
  });
});
