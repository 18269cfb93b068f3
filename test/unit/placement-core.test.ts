import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { AwsError } from "../../src/core/errors.js";
import {
  ClusterIndex,
  place,
  seededRandom,
  taskRequirements,
  type PlacementRequest,
} from "../../src/core/placement/index.js";
import { countBy, instance } from "./placement-helpers.js";

const rnd = () => seededRandom("unit");
const small = { cpu: 256, memory: 512 };

describe("placement strategies", () => {
  it("binpack(memory) fills the fullest instance first, then the next fullest", () => {
    const a = instance({ remaining: { memory: 1000 } });
    const b = instance({ remaining: { memory: 3000 } });
    const c = instance({ remaining: { memory: 2000 } });
    const r = place({ count: 5, task: { cpu: 10, memory: 400 }, strategy: [{ type: "binpack", field: "memory" }] }, [a, b, c], rnd());
    assert.deepEqual(
      r.placements.map((p) => p.instanceArn),
      [a.arn, a.arn, c.arn, c.arn, c.arn],
      "a (1000) takes two, then c (2000) is the fullest that fits",
    );
  });

  it("binpack(cpu) uses remaining CPU", () => {
    const a = instance({ remaining: { cpu: 4096 } });
    const b = instance({ remaining: { cpu: 1024 } });
    const r = place({ count: 1, task: small, strategy: [{ type: "binpack", field: "CPU" }] }, [a, b], rnd());
    assert.equal(r.placements[0]!.instanceArn, b.arn);
  });

  it("spread(attribute:ecs.availability-zone) puts 9 tasks 3/3/3 over 3 AZs of unequal size", () => {
    const cluster = [
      ...["a", "a", "a", "a"].map((z) => instance({ az: `us-east-1${z}` })),
      instance({ az: "us-east-1b" }),
      instance({ az: "us-east-1c" }),
    ];
    const ix = ClusterIndex.from(cluster);
    const r = place(
      { count: 9, group: "family:web", task: small, strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }] },
      ix,
      rnd(),
    );
    const byAz = countBy(r.placements, (p) => ix.attributes[ix.slotOf(p.instanceArn)!]!.get("ecs.availability-zone")!);
    assert.deepEqual([...byAz.values()].sort(), [3, 3, 3]);
  });

  it("spread counts the group's existing tasks and ignores other groups", () => {
    const busy = instance({ az: "us-east-1a", taskGroups: { "family:web": 2, "family:other": 9 }, runningTasksCount: 11 });
    const idle = instance({ az: "us-east-1b", taskGroups: { "family:other": 5 }, runningTasksCount: 5 });
    const r = place(
      { count: 4, group: "family:web", task: small, strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }] },
      [busy, idle],
      rnd(),
    );
    const counts = countBy(r.placements, (p) => p.instanceArn);
    assert.equal(counts.get(idle.arn), 3, "idle AZ catches up (0→2) then they alternate");
    assert.equal(counts.get(busy.arn), 1);
  });

  it("spread(instanceId) and spread(host) place one task per instance before doubling up", () => {
    for (const field of ["instanceId", "host"]) {
      const cluster = [instance(), instance(), instance()];
      const r = place({ count: 6, group: "g", task: small, strategy: [{ type: "spread", field }] }, cluster, rnd());
      assert.deepEqual([...countBy(r.placements, (p) => p.instanceArn).values()], [2, 2, 2]);
      assert.deepEqual(new Set(r.placements.slice(0, 3).map((p) => p.instanceArn)).size, 3);
    }
  });

  it("spread(AZ) then binpack(memory): even over AZs, fullest instance within each AZ", () => {
    const a1 = instance({ az: "us-east-1a", remaining: { memory: 4000 } });
    const a2 = instance({ az: "us-east-1a", remaining: { memory: 1000 } });
    const b1 = instance({ az: "us-east-1b", remaining: { memory: 8000 } });
    const b2 = instance({ az: "us-east-1b", remaining: { memory: 2000 } });
    const r = place(
      {
        count: 4,
        group: "g",
        task: { cpu: 1, memory: 500 },
        strategy: [
          { type: "spread", field: "attribute:ecs.availability-zone" },
          { type: "binpack", field: "memory" },
        ],
      },
      [a1, a2, b1, b2],
      rnd(),
    );
    const counts = countBy(r.placements, (p) => p.instanceArn);
    assert.equal(counts.get(a2.arn), 2);
    assert.equal(counts.get(b2.arn), 2);
  });

  it("random (and no strategy) is reproducible with a seed and uses many instances", () => {
    const cluster = Array.from({ length: 10 }, () => instance());
    const req: PlacementRequest = { count: 10, task: small };
    const one = place(req, cluster, seededRandom(42)).placements.map((p) => p.instanceArn);
    const two = place({ ...req, strategy: [{ type: "random" }] }, cluster, seededRandom(42)).placements.map((p) => p.instanceArn);
    assert.deepEqual(one, two);
    assert.ok(new Set(one).size >= 4, `random placement should not stack tasks: ${new Set(one).size} instances used`);
  });
});

describe("placement constraints and resources", () => {
  it("distinctInstance with more tasks than instances places one per instance and reports failures", () => {
    const cluster = [instance(), instance(), instance()];
    const r = place({ count: 5, group: "family:x", task: small, constraints: [{ type: "distinctInstance" }] }, cluster, rnd());
    assert.equal(new Set(r.placements.map((p) => p.instanceArn)).size, 3);
    assert.equal(r.placements.length, 3);
    assert.equal(r.unplaced, 2);
    assert.deepEqual(
      r.failures.map((f) => [f.arn, f.reason]).sort(),
      cluster.map((i) => [i.arn, "DistinctInstance placement constraint unsatisfied"]).sort(),
    );
  });

  it("memberOf attribute:ecs.instance-type =~ g4dn.* only lands on GPU instances", () => {
    const gpu = [instance({ type: "g4dn.xlarge" }), instance({ type: "g4dn.2xlarge" })];
    const cpuOnly = [instance({ type: "m5.xlarge" }), instance({ type: "c5.large" }), instance({ type: "g3.4xlarge" })];
    const r = place(
      { count: 10, task: small, constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ g4dn.*" }] },
      [...cpuOnly, ...gpu],
      rnd(),
    );
    assert.equal(r.placements.length, 10);
    for (const p of r.placements) assert.ok(gpu.some((g) => g.arn === p.instanceArn));
  });

  it("a memberOf on task:group sees the tasks placed earlier in the batch", () => {
    const cluster = [instance(), instance()];
    const r = place(
      { count: 3, group: "svc", task: small, constraints: [{ type: "memberOf", expression: "not(task:group == svc)" }] },
      cluster,
      rnd(),
    );
    assert.equal(r.placements.length, 2);
    assert.equal(r.unplaced, 1);
    assert.ok(r.failures.every((f) => f.reason === "MemberOf placement constraint unsatisfied"));
  });

  it("GPU ids are assigned specifically and never handed to two tasks", () => {
    const ix = ClusterIndex.from([
      instance({ remaining: { gpuIds: ["GPU-a", "GPU-b", "GPU-c"] } }),
      instance({ remaining: { gpuIds: ["GPU-d", "GPU-e"] } }),
      instance(),
    ]);
    const r = place({ count: 3, task: { ...small, gpus: 1 } }, ix, rnd());
    const two = place({ count: 2, task: { ...small, gpus: 2 } }, ix, rnd());
    const all = [...r.placements, ...two.placements].flatMap((p) => p.gpuIds);
    assert.equal(new Set(all).size, all.length, `duplicate GPU ids: ${all}`);
    assert.equal(all.length, r.placements.length + 2 * two.placements.length);
    assert.ok(r.placements.every((p) => p.gpuIds.length === 1));
    assert.equal(r.placements.length + two.placements.length * 2 + two.unplaced * 2, 3 + 4, "every GPU asked for");
    const short = place({ count: 1, task: { ...small, gpus: 2 } }, [instance({ remaining: { gpuIds: ["only"] } })], rnd());
    assert.deepEqual(short.failures.map((f) => [f.reason, f.detail]), [["RESOURCE:GPU", "needs 2 GPU(s), 1 unassigned"]]);
  });

  it("static host ports, tcp and udp, count ports reserved earlier in the batch", () => {
    const one = instance({ remaining: { ports: [22] } });
    const r = place({ count: 2, task: { ...small, ports: [80] } }, [one], rnd());
    assert.equal(r.placements.length, 1);
    assert.deepEqual(r.failures, [{ arn: one.arn, reason: "RESOURCE:PORTS", detail: "host port 80/tcp is in use" }]);
    const udp = place({ count: 1, task: { ...small, portsUdp: [53] } }, [instance({ remaining: { portsUdp: [53] } })], rnd());
    assert.equal(udp.failures[0]!.reason, "RESOURCE:PORTS");
    assert.match(udp.failures[0]!.detail!, /53\/udp/);
    const taken = place({ count: 1, task: { ...small, ports: [22] } }, [instance({ remaining: { ports: [22] } })], rnd());
    assert.equal(taken.placements.length, 0);
  });

  it("awsvpc tasks need an ENI slot", () => {
    const r = place({ count: 3, task: { ...small, eni: true } }, [instance({ remaining: { eni: 2 } })], rnd());
    assert.equal(r.placements.length, 2);
    assert.equal(r.failures[0]!.reason, "RESOURCE:ENI");
  });

  it("CPU and memory failures say how short the instance is", () => {
    const r = place({ count: 1, task: { cpu: 512, memory: 256 } }, [instance({ remaining: { cpu: 256 } })], rnd());
    assert.deepEqual(r.failures[0]!.reason, "RESOURCE:CPU");
    assert.equal(r.failures[0]!.detail, "needs 512 CPU units, 256 remaining");
    const m = place({ count: 1, task: { cpu: 1, memory: 4096 } }, [instance({ remaining: { memory: 1024 } })], rnd());
    assert.deepEqual(m.failures[0], { arn: m.failures[0]!.arn, reason: "RESOURCE:MEMORY", detail: "needs 4096 MiB, 1024 MiB remaining" });
  });

  it("AGENT for a disconnected agent, ATTRIBUTE for a missing required attribute, DRAINING is skipped", () => {
    const off = instance({ agentConnected: false });
    const plain = instance();
    const draining = instance({ status: "DRAINING" });
    const r = place(
      { count: 1, task: small, requiresAttributes: [{ name: "com.amazonaws.ecs.capability.ecr-auth" }] },
      [off, plain, draining],
      rnd(),
      { explain: true },
    );
    assert.deepEqual(
      r.failures.map((f) => [f.arn, f.reason, f.detail]),
      [
        [off.arn, "AGENT", "container agent is disconnected"],
        [plain.arn, "ATTRIBUTE", "missing attribute com.amazonaws.ecs.capability.ecr-auth"],
      ],
    );
    assert.equal(r.explain!.instances.find((v) => v.arn === draining.arn)!.reason, "STATUS");
    assert.equal(r.noActiveInstances, false);
    assert.equal(place({ count: 1, task: small }, [draining], rnd()).noActiveInstances, true);
    const valued = place(
      { count: 1, task: small, requiresAttributes: [{ name: "ecs.instance-type", value: "p3.2xlarge" }] },
      [plain],
      rnd(),
    );
    assert.equal(valued.failures[0]!.detail, "attribute ecs.instance-type is 'm5.xlarge', needs 'p3.2xlarge'");
  });
});

describe("explain, index updates and validation", () => {
  it("explain ranks eligible instances by score and names each rejection; dryRun leaves the index untouched", () => {
    const full = instance({ remaining: { memory: 100 } });
    const a = instance({ remaining: { memory: 3000 } });
    const b = instance({ remaining: { memory: 2000 } });
    const ix = ClusterIndex.from([full, a, b]);
    const r = place({ count: 1, task: small, strategy: [{ type: "binpack", field: "memory" }] }, ix, rnd(), {
      explain: true,
      dryRun: true,
    });
    assert.deepEqual(r.explain!.strategy, ["binpack(memory)"]);
    const [first, second, rejected] = r.explain!.instances;
    assert.deepEqual([first!.arn, first!.rank, first!.scores], [b.arn, 1, [2000]]);
    assert.deepEqual([second!.arn, second!.rank], [a.arn, 2]);
    assert.deepEqual([rejected!.arn, rejected!.verdict, rejected!.reason], [full.arn, "rejected", "RESOURCE:MEMORY"]);
    assert.equal(r.placements[0]!.instanceArn, b.arn);
    assert.equal(ix.memory[ix.slotOf(b.arn)!], 2000, "dry run released the reservation");
    assert.equal(ix.running[ix.slotOf(b.arn)!], 0);
  });

  it("the index keeps placements across calls and release() gives them back", () => {
    const ix = ClusterIndex.from([instance({ remaining: { memory: 1024, gpuIds: ["g0"] } })]);
    const req: PlacementRequest = { count: 1, group: "g", task: { cpu: 1, memory: 1024, gpus: 1, ports: [8080] } };
    const r = place(req, ix, rnd());
    assert.equal(r.placements.length, 1);
    assert.equal(place(req, ix, rnd()).placements.length, 0);
    ix.release(0, req.task, "g", r.placements[0]!.gpuIds);
    assert.equal(place(req, ix, rnd()).placements.length, 1);
  });

  it("rejects invalid requests with InvalidParameterException", () => {
    const bad: Partial<PlacementRequest>[] = [
      { strategy: Array.from({ length: 6 }, () => ({ type: "random" })) },
      { strategy: [{ type: "binpack", field: "disk" }] },
      { strategy: [{ type: "spread", field: "az" }] },
      { strategy: [{ type: "pack" }] },
      { constraints: [{ type: "memberOf" }] },
      { constraints: [{ type: "distinctInstance", expression: "x == y" }] },
      { constraints: [{ type: "memberOf", expression: "attribute:x ==" }] },
      { constraints: [{ type: "sameInstance" }] },
      { constraints: Array.from({ length: 11 }, () => ({ type: "distinctInstance" })) },
      { count: 0 },
    ];
    for (const b of bad) {
      assert.throws(
        () => place({ count: 1, task: small, ...b }, [instance()], rnd()),
        (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterException",
        JSON.stringify(b),
      );
    }
  });

  it("taskRequirements reads a task definition as ECS reserves it", () => {
    const td: TaskDefinition = {
      networkMode: "bridge",
      containerDefinitions: [
        { name: "web", cpu: 256, memory: 512, memoryReservation: 256, portMappings: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81 }] },
        { name: "dns", cpu: 128, memory: 128, portMappings: [{ containerPort: 53, hostPort: 53, protocol: "udp" }] },
        { name: "ml", memory: 1024, resourceRequirements: [{ type: "GPU", value: "2" }] },
      ],
    };
    assert.deepEqual(taskRequirements(td), { cpu: 384, memory: 256 + 128 + 1024, ports: [8080], portsUdp: [53], gpus: 2 });
    assert.deepEqual(taskRequirements({ ...td, networkMode: "awsvpc", cpu: "1 vCPU", memory: "2GB" }), {
      cpu: 1024,
      memory: 2048,
      gpus: 2,
      eni: true,
    });
    assert.deepEqual(taskRequirements({ networkMode: "host", containerDefinitions: [{ name: "h", memory: 64, portMappings: [{ containerPort: 9000 }] }] }), {
      cpu: 0,
      memory: 64,
      ports: [9000],
    });
  });
});
