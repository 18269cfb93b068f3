import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { answerInZone, MULTIVALUE_MAX, type Zone, type ZoneInstance } from "../../src/core/servicediscovery/dns.js";
import { hostedZoneId, namespaceId, operationId, serviceId } from "../../src/core/servicediscovery/ids.js";
import { checkDnsConfig, checkDnsConfigChange, checkInstanceAttributes, discover, filterMatches, operationStatus } from "../../src/core/servicediscovery/rules.js";
import { planRegistrations, wantsRegistration } from "../../src/core/service/registries.js";
import type { ObservedTask } from "../../src/core/service/types.js";

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return "none";
};

describe("Cloud Map rules", () => {
  it("makes ids of AWS's shapes from injected chance", () => {
    let i = 0;
    const r = () => ((i++ * 7) % 36) / 36;
    assert.match(namespaceId(r), /^ns-[a-z0-9]{16}$/);
    assert.match(serviceId(r), /^srv-[a-z0-9]{16}$/);
    assert.match(operationId(r), /^[a-z0-9]{32}-[a-z0-9]{8}$/);
    assert.match(hostedZoneId(r), /^Z[A-Z0-9]{13}$/);
    assert.match(namespaceId(() => 0.9999999), /^ns-9{16}$/);
  });

  it("accepts Route 53's record combinations only, CNAME only WEIGHTED, and changes of TTL only", () => {
    const rec = (...t: string[]) => t.map((Type) => ({ Type: Type as "A", TTL: 10 }));
    for (const ok of [["A"], ["AAAA"], ["A", "AAAA"], ["SRV"], ["A", "SRV"], ["AAAA", "SRV"], ["A", "AAAA", "SRV"]]) {
      assert.equal(checkDnsConfig(rec(...ok), undefined).RoutingPolicy, "MULTIVALUE", ok.join());
    }
    assert.equal(checkDnsConfig(rec("CNAME"), "WEIGHTED").RoutingPolicy, "WEIGHTED");
    assert.equal(code(() => checkDnsConfig(rec("CNAME"), "MULTIVALUE")), "InvalidInput");
    assert.equal(code(() => checkDnsConfig(rec("CNAME", "A"), "WEIGHTED")), "InvalidInput");
    assert.equal(code(() => checkDnsConfig(rec("A", "A"), undefined)), "InvalidInput");
    assert.equal(code(() => checkDnsConfig([], undefined)), "InvalidInput");
    const cur = checkDnsConfig(rec("A", "SRV"), undefined);
    assert.equal(checkDnsConfigChange(cur, [{ Type: "SRV", TTL: 60 }, { Type: "A", TTL: 60 }]).DnsRecords[0]!.TTL, 60);
    assert.equal(code(() => checkDnsConfigChange(cur, rec("A"))), "InvalidInput");
  });

  it("asks instances for the attributes their records need", () => {
    const dns = (...t: string[]) => ({ dns: checkDnsConfig(t.map((Type) => ({ Type: Type as "A", TTL: 1 })), Type(t)), customHealth: false });
    const Type = (t: string[]) => (t.includes("CNAME") ? "WEIGHTED" : undefined);
    assert.equal(code(() => checkInstanceAttributes({}, dns("A"))), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV4: "10.0.0.1" }, dns("A"))), "none");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV4: "10.0.0.300" }, dns("A"))), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV4: "10.0.0.1" }, dns("SRV"))), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV4: "10.0.0.1", AWS_INSTANCE_PORT: "70000" }, dns("SRV"))), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV6: "fd00::1", AWS_INSTANCE_PORT: "80" }, dns("SRV"))), "none");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INSTANCE_IPV6: "fd00::1" }, dns("A", "AAAA"))), "none");
    assert.equal(code(() => checkInstanceAttributes({}, dns("CNAME"))), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INIT_HEALTH_STATUS: "HEALTHY" }, { customHealth: false })), "InvalidInput");
    assert.equal(code(() => checkInstanceAttributes({ AWS_INIT_HEALTH_STATUS: "HEALTHY" }, { customHealth: true })), "none");
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, "v"]));
    assert.equal(code(() => checkInstanceAttributes(many, { customHealth: false })), "InvalidInput");
  });

  it("discovers by query, optional parameters and health", () => {
    const inst = (id: string, color: string, health: "HEALTHY" | "UNHEALTHY") => ({ id, attributes: { color }, health });
    const all = [inst("a", "blue", "HEALTHY"), inst("b", "green", "UNHEALTHY"), inst("c", "blue", "UNHEALTHY")];
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    assert.deepEqual(ids(discover(all, { hasHealthCheck: true, max: 100 })), ["a"]);
    assert.deepEqual(ids(discover(all, { hasHealthCheck: false, max: 100 })), ["a", "b", "c"], "no health check: the filter is ignored");
    assert.deepEqual(ids(discover(all, { health: "UNHEALTHY", hasHealthCheck: true, max: 100 })), ["b", "c"]);
    assert.deepEqual(ids(discover(all, { query: { color: "green" }, health: "HEALTHY_OR_ELSE_ALL", hasHealthCheck: true, max: 100 })), ["b"]);
    assert.deepEqual(ids(discover(all, { optional: { color: "green" }, health: "ALL", hasHealthCheck: true, max: 100 })), ["b"]);
    assert.deepEqual(ids(discover(all, { optional: { color: "red" }, health: "ALL", hasHealthCheck: true, max: 2 })), ["a", "b"]);
  });

  it("moves operations from SUBMITTED to SUCCESS on the clock alone", () => {
    assert.deepEqual(operationStatus(1000, 1000, 100), { status: "SUBMITTED", updatedMs: 1000 });
    assert.deepEqual(operationStatus(1000, 1099, 100), { status: "SUBMITTED", updatedMs: 1000 });
    assert.deepEqual(operationStatus(1000, 1100, 100), { status: "SUCCESS", updatedMs: 1100 });
  });

  it("filters lists with EQ, IN, BEGINS_WITH and BETWEEN where allowed", () => {
    assert.equal(filterMatches({ Name: "TYPE", Values: ["HTTP", "DNS_PRIVATE"], Condition: "IN" }, "HTTP", ["EQ", "IN"]), true);
    assert.equal(filterMatches({ Name: "NAME", Values: ["int"], Condition: "BEGINS_WITH" }, "internal.local", ["EQ", "BEGINS_WITH"]), true);
    assert.equal(filterMatches({ Name: "NAME", Values: ["internal.local"] }, "internal.loca", ["EQ"]), false);
    assert.equal(code(() => filterMatches({ Name: "TYPE", Values: ["HTTP"], Condition: "BEGINS_WITH" }, "HTTP", ["EQ", "IN"])), "InvalidInput");
    assert.equal(code(() => filterMatches({ Name: "NAME", Values: ["a", "b"] }, "a", ["EQ"])), "InvalidInput");
  });
});

describe("Cloud Map DNS records (pure)", () => {
  const inst = (id: string, ip: string, health: ZoneInstance["health"] = "HEALTHY", port = "8080"): ZoneInstance => ({
    id,
    attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: port },
    health,
  });
  const zone = (instances: ZoneInstance[], records = ["A", "SRV"], routing: "MULTIVALUE" | "WEIGHTED" = "MULTIVALUE"): Zone => ({
    name: "internal.local",
    soaTtl: 15,
    services: [{ name: "api", dns: { RoutingPolicy: routing, DnsRecords: records.map((Type) => ({ Type: Type as "A", TTL: 10 })) }, instances }],
  });

  it("answers A records of healthy instances only, SRV with its targets' A records, NXDOMAIN with the SOA", () => {
    const z = zone([inst("t1", "10.0.0.1"), inst("t2", "10.0.0.2", "UNHEALTHY"), inst("t3", "10.0.0.3", "UNKNOWN")]);
    const a = answerInZone(z, "api.internal.local", "A", () => 0.5);
    assert.equal(a.kind, "answer");
    assert.deepEqual(a.kind === "answer" && a.records.map((r) => r.value).sort(), ["10.0.0.1", "10.0.0.3"]);
    const srv = answerInZone(z, "api.internal.local", "SRV", () => 0.5);
    assert.ok(srv.kind === "answer");
    assert.deepEqual(
      srv.records.map((r) => r.value).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      [
        { priority: 1, weight: 1, port: 8080, target: "t1.api.internal.local" },
        { priority: 1, weight: 1, port: 8080, target: "t3.api.internal.local" },
      ],
    );
    assert.deepEqual(srv.additional!.map((r) => [r.name, r.value]).sort(), [["t1.api.internal.local", "10.0.0.1"], ["t3.api.internal.local", "10.0.0.3"]]);
    const target = answerInZone(z, "t1.api.internal.local", "A", () => 0.5);
    assert.ok(target.kind === "answer" && target.records[0]!.value === "10.0.0.1");
    const sickTarget = answerInZone(z, "t2.api.internal.local", "A", () => 0.5);
    assert.ok(sickTarget.kind === "answer" && sickTarget.records.length === 0);
    const nx = answerInZone(z, "nope.internal.local", "A", () => 0.5);
    assert.equal(nx.kind, "nxdomain");
    assert.equal(nx.zone.soa.mname, "ns-1536.awsdns-00.co.uk");
    const soa = answerInZone(z, "internal.local", "SOA", () => 0.5);
    assert.ok(soa.kind === "answer" && soa.records[0]!.ttl === 15);
    const nodata = answerInZone(z, "api.internal.local", "AAAA", () => 0.5);
    assert.ok(nodata.kind === "answer" && nodata.records.length === 0);
  });

  it("MULTIVALUE answers at most 8 distinct healthy records, WEIGHTED exactly one, for any chance", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 1 }), (healthy, sick, draws) => {
        let k = 0;
        const random = () => draws[k++ % draws.length]!;
        const instances = [
          ...Array.from({ length: healthy }, (_, i) => inst(`h${i}`, `10.0.1.${i}`)),
          ...Array.from({ length: sick }, (_, i) => inst(`s${i}`, `10.0.2.${i}`, "UNHEALTHY")),
        ];
        const multi = answerInZone(zone(instances, ["A"]), "api.internal.local", "A", random);
        assert.ok(multi.kind === "answer");
        const values = multi.records.map((r) => String(r.value));
        assert.equal(values.length, Math.min(healthy, MULTIVALUE_MAX));
        assert.equal(new Set(values).size, values.length);
        assert.ok(values.every((v) => v.startsWith("10.0.1.")));
        const weighted = answerInZone(zone(instances, ["A"], "WEIGHTED"), "api.internal.local", "A", random);
        assert.ok(weighted.kind === "answer" && weighted.records.length === Math.min(healthy, 1));
      }),
    );
  });

  it("answers CNAME services with the instance's name", () => {
    const z: Zone = {
      name: "internal.local",
      soaTtl: 15,
      services: [{ name: "www", dns: { RoutingPolicy: "WEIGHTED", DnsRecords: [{ Type: "CNAME", TTL: 30 }] }, instances: [{ id: "c", attributes: { AWS_INSTANCE_CNAME: "Example.COM" }, health: "UNKNOWN" }] }],
    };
    const a = answerInZone(z, "www.internal.local", "A", () => 0);
    assert.ok(a.kind === "answer");
    assert.deepEqual(a.records, [{ name: "www.internal.local", type: "CNAME", ttl: 30, value: "example.com" }]);
  });
});

describe("ECS tasks in Cloud Map (pure decisions)", () => {
  const task = (arn: string, over: Partial<ObservedTask> = {}): ObservedTask => ({
    taskArn: arn,
    deploymentId: "d",
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    createdAt: 0,
    startedAt: 1,
    ...over,
  });

  it("registers RUNNING healthy tasks, deregisters unhealthy, stopping, draining and gone ones", () => {
    assert.equal(wantsRegistration(task("a")), true);
    assert.equal(wantsRegistration(task("a", { lastStatus: "PENDING" })), false);
    assert.equal(wantsRegistration(task("a", { hasHealthCheck: true, healthStatus: "UNKNOWN" })), false);
    assert.equal(wantsRegistration(task("a", { hasHealthCheck: true, healthStatus: "HEALTHY" })), true);
    assert.equal(wantsRegistration(task("a", { hasHealthCheck: true, healthStatus: "UNHEALTHY" })), false);
    assert.equal(wantsRegistration(task("a", { desiredStatus: "STOPPED" })), false);
    assert.equal(wantsRegistration(task("a", { holdRunning: true })), false);
    assert.equal(wantsRegistration(task("a", { loadBalanced: true, targets: [] })), false);
    const plan = planRegistrations(
      [task("new"), task("kept"), task("sick", { hasHealthCheck: true, healthStatus: "UNHEALTHY" }), task("stopped", { lastStatus: "STOPPED", desiredStatus: "STOPPED" })],
      new Set(["kept", "sick", "stopped", "reaped"]),
    );
    assert.deepEqual(plan, { register: ["new"], deregister: ["sick", "stopped", "reaped"] });
  });
});
