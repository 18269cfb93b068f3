import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ClusterPlacement, diffPlacements } from "../../src/api/ecs/cluster-placement.js";
import type { InstanceDoc } from "../../src/records/instance-doc.js";
import type { TaskDoc } from "../../src/records/task-doc.js";
import { place, seededRandom, type PlacementRequest } from "../../src/core/placement/index.js";
import { taskNeeds } from "../../src/core/task-needs.js";

/**
 * The server keeps each cluster's placement index current from write notifications instead of
 * re-reading the cluster. Random histories — instances registering, changing attributes,
 * draining, deregistering, agents coming and going, RunTask-style placements (some whose write
 * fails), tasks moving through their statuses, STOPPED records deleted, awsvpcTrunking flipping —
 * must leave the kept state equal to one built afresh from the final records, and no instance
 * over-committed.
 */
const CLUSTER = "arn:aws:ecs:us-east-1:000000000000:cluster/prop";
const TYPES = ["m5.large", "g4dn.xlarge"];

type Op =
  | { kind: "register"; type: string; cpu: number; memory: number; gpus: number }
  | { kind: "attribute"; instance: number; value: string }
  | { kind: "status"; instance: number; status: "ACTIVE" | "DRAINING" | "INACTIVE" }
  | { kind: "presence"; instance: number; connected: boolean }
  | { kind: "run"; count: number; cpu: number; memory: number; port: boolean; gpus: number; eni: boolean; group: number; writeFails: boolean; seed: number }
  | { kind: "advance"; task: number; status: "PENDING" | "RUNNING" | "STOPPED" }
  | { kind: "forget"; task: number }
  | { kind: "trunking"; on: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("register" as const), type: fc.constantFrom(...TYPES), cpu: fc.constantFrom(1024, 2048), memory: fc.constantFrom(1024, 4096), gpus: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("attribute" as const), instance: fc.nat(), value: fc.constantFrom("x", "y") }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("status" as const), instance: fc.nat(), status: fc.constantFrom("ACTIVE" as const, "DRAINING" as const, "INACTIVE" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("presence" as const), instance: fc.nat(), connected: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("run" as const),
      count: fc.integer({ min: 1, max: 4 }),
      cpu: fc.constantFrom(128, 512),
      memory: fc.constantFrom(256, 512),
      port: fc.boolean(),
      gpus: fc.constantFrom(0, 0, 1),
      eni: fc.boolean(),
      group: fc.integer({ min: 0, max: 1 }),
      writeFails: fc.constantFrom(false, false, false, true),
      seed: fc.nat(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("advance" as const), task: fc.nat(), status: fc.constantFrom("PENDING" as const, "RUNNING" as const, "STOPPED" as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("forget" as const), task: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("trunking" as const), on: fc.boolean() }) },
);

function instanceDoc(i: number, op: Extract<Op, { kind: "register" }>): InstanceDoc {
  const gpus = Array.from({ length: op.gpus }, (_, g) => `GPU-${i}-${g}`);
  const res = (name: string, v: number) => ({ name, type: "INTEGER", doubleValue: 0, longValue: 0, integerValue: v });
  const set = (name: string, v: string[]) => ({ name, type: "STRINGSET", doubleValue: 0, longValue: 0, integerValue: 0, stringSetValue: v });
  return {
    containerInstanceArn: `arn:aws:ecs:us-east-1:000000000000:container-instance/prop/${i}`,
    ec2InstanceId: `i-${i}`,
    version: 1,
    versionInfo: { agentVersion: "1.0.0" },
    registeredResources: [res("CPU", op.cpu), res("MEMORY", op.memory), set("PORTS", ["22"]), set("PORTS_UDP", []), ...(gpus.length ? [set("GPU", gpus)] : [])],
    status: "ACTIVE",
    attributes: [{ name: "ecs.instance-type", value: op.type }, { name: "wharf.eni-limit", value: "2" }],
    registeredAt: 1_700_000_000 + i,
    attachments: [],
    wharf: { clusterArn: CLUSTER, sort: String(i).padStart(6, "0") },
  };
}

describe("kept placement state", () => {
  it("equals a fresh build after any history of writes, and never over-commits an instance", () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 60 }), (ops) => {
        const instances = new Map<string, InstanceDoc>();
        const tasks = new Map<string, TaskDoc>();
        const connected = new Map<string, boolean>();
        const presence = (arn: string) => connected.get(arn) ?? true;
        const kept = new ClusterPlacement(CLUSTER, presence);
        let trunking = false;
        let nInstances = 0;
        let nTasks = 0;
        const putInstance = (d: InstanceDoc) => {
          instances.set(d.containerInstanceArn, d);
          kept.applyInstance(d);
        };
        const putTask = (d: TaskDoc) => {
          tasks.set(d.taskArn, d);
          kept.applyTask(d);
        };
        const pick = <T>(m: Map<string, T>, n: number): T | undefined => [...m.values()][n % Math.max(1, m.size)];

        for (const op of ops) {
          switch (op.kind) {
            case "register":
              putInstance(instanceDoc(nInstances++, op));
              break;
            case "attribute": {
              const d = pick(instances, op.instance);
              if (d && d.status !== "INACTIVE") putInstance({ ...d, attributes: [...d.attributes.filter((a) => a.name !== "custom"), { name: "custom", value: op.value }] });
              break;
            }
            case "status": {
              const d = pick(instances, op.instance);
              if (d && d.status !== "INACTIVE") putInstance({ ...d, status: op.status });
              break;
            }
            case "presence": {
              const d = pick(instances, op.instance);
              if (d) {
                connected.set(d.containerInstanceArn, op.connected);
                kept.setConnected(d.containerInstanceArn, op.connected);
              }
              break;
            }
            case "trunking":
              trunking = op.on;
              kept.useTrunking(trunking);
              break;
            case "run": {
              const td = {
                networkMode: op.eni ? "awsvpc" : "bridge",
                containerDefinitions: [
                  {
                    name: "c",
                    cpu: op.cpu,
                    memory: op.memory,
                    portMappings: op.port && !op.eni ? [{ containerPort: 80, hostPort: 8080 }] : [],
                    resourceRequirements: op.gpus ? [{ type: "GPU", value: String(op.gpus) }] : [],
                  },
                ],
              };
              const needs = taskNeeds(td);
              const group = `family:g${op.group}`;
              const req: PlacementRequest = {
                count: op.count,
                group,
                task: { cpu: needs.cpu, memory: needs.memory, ...(needs.ports.length ? { ports: needs.ports } : {}), ...(needs.gpus ? { gpus: needs.gpus } : {}), ...(needs.eni ? { eni: true } : {}) },
                constraints: op.group ? [{ type: "distinctInstance" }] : [],
                strategy: [{ type: "binpack", field: "memory" }],
              };
              const result = place(req, kept.index, seededRandom(op.seed));
              const docs = result.placements.map(
                (p) =>
                  ({
                    taskArn: `arn:aws:ecs:us-east-1:000000000000:task/prop/${nTasks++}`,
                    clusterArn: CLUSTER,
                    containerInstanceArn: p.instanceArn,
                    lastStatus: "PROVISIONING",
                    desiredStatus: "RUNNING",
                    group,
                    wharf: { needs, gpuIds: p.gpuIds, sort: "" },
                  }) as unknown as TaskDoc,
              );
              kept.hold(docs);
              for (const p of result.placements) {
                // Placement only takes ENI room that is there. (Room may read below zero after
                // awsvpcTrunking is switched off under running tasks; such an instance takes none.)
                const slot = kept.index.slotOf(p.instanceArn)!;
                assert.ok(kept.index.eni[slot]! >= 0, "ENI room taken by placement never negative");
              }
              if (op.writeFails) kept.drop(docs);
              else for (const d of docs) putTask(d);
              break;
            }
            case "advance": {
              const t = pick(tasks, op.task);
              if (t && t.lastStatus !== "STOPPED") putTask({ ...t, lastStatus: op.status });
              break;
            }
            case "forget": {
              const t = pick(tasks, op.task);
              if (t && t.lastStatus === "STOPPED") {
                tasks.delete(t.taskArn);
                kept.removeTask(t.taskArn);
              }
              break;
            }
          }
        }
        const fresh = new ClusterPlacement(CLUSTER, presence);
        fresh.load([...instances.values()], [...tasks.values()]);
        fresh.useTrunking(trunking);
        assert.deepEqual(diffPlacements(kept, fresh), []);
        for (const s of kept.index.slots()) {
          // Placement may only take what is there: nothing goes negative, no GPU is held twice.
          assert.ok(kept.index.cpu[s]! >= 0 && kept.index.memory[s]! >= 0, "no over-commit");
        }
        const held = [...tasks.values()].filter((t) => t.lastStatus !== "STOPPED").flatMap((t) => t.wharf.gpuIds ?? []);
        assert.equal(new Set(held).size, held.length, "no GPU id held by two live tasks");
      }),
      { numRuns: 300 },
    );
  });
});
