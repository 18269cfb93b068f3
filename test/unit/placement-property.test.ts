import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  ClusterIndex,
  place,
  seededRandom,
  type InstanceSnapshot,
  type PlacementRequest,
} from "../../src/core/placement/index.js";
import { compileQuery, targetFromInstance } from "../../src/core/query/index.js";

/**
 * Random clusters and requests. The checks below re-derive every fact from the snapshots with a
 * deliberately naive model (plain objects, no index), so they do not share code with the engine
 * except the query evaluator (tested on its own in placement-query.test.ts).
 */
const PORTS = [80, 443, 8080];
const TYPES = ["m5.large", "g4dn.xlarge", "c5.xlarge"];
const AZS = ["a", "b", "c"];
const GROUPS = ["family:web", "service:api"];
const EXPRESSIONS = [
  "attribute:ecs.instance-type =~ g4dn.*",
  "attribute:ecs.availability-zone in [a, b]",
  "runningTasksCount < 3",
  "not(task:group == family:web)",
  "attribute:custom exists or agentVersion >= 1.50.0",
];

const instanceArb = (i: number) =>
  fc.record({
    status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"),
    agentConnected: fc.constantFrom(true, true, true, false),
    type: fc.constantFrom(...TYPES),
    az: fc.constantFrom(...AZS),
    custom: fc.boolean(),
    agentVersion: fc.constantFrom("1.20.0", "1.80.0"),
    cpu: fc.integer({ min: 0, max: 2048 }),
    memory: fc.integer({ min: 0, max: 4096 }),
    ports: fc.subarray(PORTS),
    portsUdp: fc.subarray([53]),
    gpus: fc.integer({ min: 0, max: 3 }),
    eni: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    web: fc.integer({ min: 0, max: 2 }),
  }).map((r): InstanceSnapshot => {
    const gpuIds = Array.from({ length: r.gpus }, (_, g) => `GPU-${i}-${g}`);
    const attributes: Record<string, string | null> = { "ecs.instance-type": r.type, "ecs.availability-zone": r.az };
    if (r.custom) attributes["custom"] = null;
    return {
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/p/${i}`,
      ec2InstanceId: `i-${i}`,
      status: r.status,
      agentConnected: r.agentConnected,
      agentVersion: r.agentVersion,
      registeredAt: 1_700_000_000,
      attributes,
      registered: { cpu: 2048, memory: 4096, gpuIds },
      remaining: { cpu: r.cpu, memory: r.memory, ports: r.ports, portsUdp: r.portsUdp, gpuIds, eni: r.eni },
      runningTasksCount: r.web,
      taskGroups: r.web ? { "family:web": r.web } : {},
    };
  });

const clusterArb = fc.integer({ min: 1, max: 10 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => instanceArb(i))));

const requestArb: fc.Arbitrary<PlacementRequest> = fc.record({
  count: fc.integer({ min: 1, max: 10 }),
  group: fc.option(fc.constantFrom(...GROUPS), { nil: undefined }),
  task: fc.record({
    cpu: fc.integer({ min: 0, max: 1024 }),
    memory: fc.integer({ min: 0, max: 2048 }),
    ports: fc.subarray(PORTS, { maxLength: 2 }),
    portsUdp: fc.subarray([53]),
    gpus: fc.integer({ min: 0, max: 2 }),
    eni: fc.boolean(),
  }),
  requiresAttributes: fc.subarray([{ name: "custom" }, { name: "ecs.availability-zone", value: "b" }], { maxLength: 1 }),
  constraints: fc.subarray([{ type: "distinctInstance" }, ...EXPRESSIONS.map((expression) => ({ type: "memberOf", expression }))], { maxLength: 2 }),
  strategy: fc.subarray(
    [
      { type: "spread", field: "attribute:ecs.availability-zone" },
      { type: "binpack", field: "memory" },
      { type: "spread", field: "instanceId" },
      { type: "binpack", field: "cpu" },
      { type: "random" },
    ],
    { maxLength: 3 },
  ).chain((s) => fc.shuffledSubarray(s, { minLength: s.length, maxLength: s.length })),
});

/** A naive, mutable copy of the snapshots: the model the engine's results are replayed on. */
type Shadow = InstanceSnapshot & { gpuFree: string[]; taken: Set<number>; takenUdp: Set<number>; groups: Record<string, number> };
const shadowOf = (cluster: InstanceSnapshot[]): Map<string, Shadow> =>
  new Map(
    cluster.map((i) => [
      i.arn,
      {
        ...structuredClone(i),
        gpuFree: [...(i.remaining.gpuIds ?? [])],
        taken: new Set(i.remaining.ports),
        takenUdp: new Set(i.remaining.portsUdp),
        groups: { ...i.taskGroups },
      },
    ]),
  );

/** Every reason `req` could not go on `s` right now (empty = it fits). */
function violations(s: Shadow, req: PlacementRequest): string[] {
  const t = req.task;
  const out: string[] = [];
  if (!s.agentConnected) out.push("AGENT");
  for (const a of req.requiresAttributes ?? []) {
    if (!(a.name in s.attributes) || (a.value !== undefined && s.attributes[a.name] !== a.value)) out.push("ATTRIBUTE");
  }
  if (s.remaining.cpu < t.cpu) out.push("RESOURCE:CPU");
  if (s.remaining.memory < t.memory) out.push("RESOURCE:MEMORY");
  if ((t.ports ?? []).some((p) => s.taken.has(p)) || (t.portsUdp ?? []).some((p) => s.takenUdp.has(p))) out.push("RESOURCE:PORTS");
  if (s.gpuFree.length < (t.gpus ?? 0)) out.push("RESOURCE:GPU");
  if (t.eni && s.remaining.eni !== undefined && s.remaining.eni < 1) out.push("RESOURCE:ENI");
  for (const c of req.constraints ?? []) {
    if (c.type === "distinctInstance") {
      const mine = req.group === undefined ? s.runningTasksCount : (s.groups[req.group] ?? 0);
      if (mine > 0) out.push("DistinctInstance placement constraint unsatisfied");
    } else {
      const target = targetFromInstance({ ...s, taskGroups: s.groups });
      if (!compileQuery(c.expression!).test(target)) out.push("MemberOf placement constraint unsatisfied");
    }
  }
  return out;
}

function apply(s: Shadow, req: PlacementRequest, gpuIds: string[]): void {
  const t = req.task;
  s.remaining.cpu -= t.cpu;
  s.remaining.memory -= t.memory;
  if (t.eni && s.remaining.eni !== undefined) s.remaining.eni -= 1;
  for (const p of t.ports ?? []) s.taken.add(p);
  for (const p of t.portsUdp ?? []) s.takenUdp.add(p);
  for (const g of gpuIds) {
    const at = s.gpuFree.indexOf(g);
    assert.ok(at >= 0, `GPU ${g} handed out but not free on ${s.arn}`);
    s.gpuFree.splice(at, 1);
  }
  s.runningTasksCount += 1;
  if (req.group) s.groups[req.group] = (s.groups[req.group] ?? 0) + 1;
}

describe("placement properties (random clusters and requests)", () => {
  it("no placement exceeds an instance's CPU, memory, ports, GPUs or ENIs, and every failure names a true reason", () => {
    fc.assert(
      fc.property(clusterArb, fc.array(requestArb, { minLength: 1, maxLength: 3 }), fc.integer(), (cluster, requests, seed) => {
        const index = ClusterIndex.from(cluster);
        const shadow = shadowOf(cluster);
        const random = seededRandom(seed);
        for (const req of requests) {
          const r = place(req, index, random);
          assert.equal(r.placements.length + r.unplaced, req.count);
          for (const p of r.placements) {
            const s = shadow.get(p.instanceArn)!;
            assert.equal(s.status, "ACTIVE", "placed on a non-ACTIVE instance");
            assert.deepEqual(violations(s, req), [], `placement on ${p.instanceArn} broke a rule`);
            assert.equal(p.gpuIds.length, req.task.gpus ?? 0);
            apply(s, req, p.gpuIds);
          }
          if (r.unplaced === 0) {
            assert.deepEqual(r.failures, []);
            continue;
          }
          // Nothing fit any more: every ACTIVE instance is reported, each with a reason that holds.
          const active = [...shadow.values()].filter((s) => s.status === "ACTIVE");
          assert.deepEqual(r.failures.map((f) => f.arn).sort(), active.map((s) => s.arn).sort());
          for (const f of r.failures) {
            const why = violations(shadow.get(f.arn)!, req);
            assert.ok(why.includes(f.reason), `failure ${f.reason} on ${f.arn} is not true (actual: ${why.join(", ") || "fits"})`);
            assert.ok(f.detail && f.detail.length > 0);
          }
        }
        // The index agrees with the replayed model.
        for (const s of shadow.values()) {
          const slot = index.slotOf(s.arn)!;
          assert.equal(index.cpu[slot], s.remaining.cpu);
          assert.equal(index.memory[slot], s.remaining.memory);
          assert.deepEqual([...index.gpuFree[slot]!].sort(), [...s.gpuFree].sort());
        }
      }),
      { numRuns: 300 },
    );
  });

  it("the first task goes to an instance explain ranks first, and explain's eligible set is exactly what fits", () => {
    fc.assert(
      fc.property(clusterArb, requestArb, fc.integer(), (cluster, req, seed) => {
        const index = ClusterIndex.from(cluster);
        const shadow = shadowOf(cluster);
        const r = place(req, index, seededRandom(seed), { explain: true, dryRun: true });
        const eligible = r.explain!.instances.filter((v) => v.verdict === "eligible").map((v) => v.arn).sort();
        const fits = [...shadow.values()]
          .filter((s) => s.status === "ACTIVE" && violations(s, req).length === 0)
          .map((s) => s.arn)
          .sort();
        assert.deepEqual(eligible, fits);
        if (fits.length > 0) {
          const top = r.explain!.instances[0]!;
          assert.equal(top.rank, 1);
          assert.equal(r.placements[0]!.instanceArn, top.arn);
        } else {
          assert.equal(r.placements.length, 0);
        }
        // dryRun left the index exactly as the snapshots describe it.
        for (const i of cluster) {
          const slot = index.slotOf(i.arn)!;
          assert.equal(index.memory[slot], i.remaining.memory);
          assert.equal(index.running[slot], i.runningTasksCount);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("spread keeps values within one task of each other when every instance fits everything", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.array(fc.constantFrom(...AZS), { minLength: 3, maxLength: 12 }), fc.integer(), (count, azs, seed) => {
        const cluster = azs.map((az, i): InstanceSnapshot => ({
          arn: `arn:i/${i}`,
          status: "ACTIVE",
          agentConnected: true,
          attributes: { "ecs.availability-zone": az },
          registered: { cpu: 1e6, memory: 1e6 },
          remaining: { cpu: 1e6, memory: 1e6 },
          runningTasksCount: 0,
        }));
        const r = place(
          { count, group: "g", task: { cpu: 1, memory: 1 }, strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }] },
          cluster,
          seededRandom(seed),
        );
        const per = new Map<string, number>();
        for (const az of new Set(azs)) per.set(az, 0);
        for (const p of r.placements) {
          const az = cluster.find((c) => c.arn === p.instanceArn)!.attributes["ecs.availability-zone"]!;
          per.set(az, per.get(az)! + 1);
        }
        const counts = [...per.values()];
        assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `uneven spread ${counts}`);
      }),
      { numRuns: 200 },
    );
  });
});
