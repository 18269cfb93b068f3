import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type InstanceSnapshot, placeFirstFit } from "../../src/core/placement/first-fit.js";
import { taskNeeds } from "../../src/core/task-needs.js";

const inst = (arn: string, cpu: number, memory: number, ports: number[] = [22], extra: Partial<InstanceSnapshot> = {}): InstanceSnapshot => ({
  containerInstanceArn: arn,
  status: "ACTIVE",
  agentConnected: true,
  remaining: { cpu, memory, ports, udpPorts: [] },
  ...extra,
});
const needs = (cpu: number, memory: number, ports: number[] = []) => ({ cpu, memory, ports, udpPorts: [] });

describe("first-fit placement", () => {
  it("places on the first instance with room, then the next as room runs out", () => {
    const r = placeFirstFit([inst("a", 1024, 1024), inst("b", 1024, 1024)], needs(512, 256), 3);
    assert.deepEqual(r.placements, ["a", "a", "b"]);
    assert.deepEqual(r.failures, []);
  });

  it("names the missing resource per instance, as ECS does", () => {
    const r = placeFirstFit([inst("a", 100, 4096), inst("b", 4096, 100), inst("c", 4096, 4096, [8080])], needs(512, 512, [8080]), 1);
    assert.deepEqual(r.placements, []);
    assert.deepEqual(r.failures, [
      { arn: "a", reason: "RESOURCE:CPU" },
      { arn: "b", reason: "RESOURCE:MEMORY" },
      { arn: "c", reason: "RESOURCE:PORTS" },
    ]);
  });

  it("places what fits and reports why the rest did not", () => {
    const r = placeFirstFit([inst("a", 1024, 1024)], needs(0, 0, [8080]), 2);
    assert.deepEqual(r.placements, ["a"]);
    assert.deepEqual(r.failures, [{ arn: "a", reason: "RESOURCE:PORTS" }]);
  });

  it("skips draining instances and reports disconnected agents as AGENT", () => {
    const r = placeFirstFit(
      [inst("d", 4096, 4096, [], { status: "DRAINING" }), inst("x", 4096, 4096, [], { agentConnected: false })],
      needs(1, 1),
      1,
    );
    assert.deepEqual(r.failures, [{ arn: "x", reason: "AGENT" }]);
  });
});

describe("task needs", () => {
  const container = (o: object) => ({ name: "c", ...o });
  it("uses task-level cpu/memory when set, container sums otherwise (memoryReservation first)", () => {
    assert.deepEqual(taskNeeds({ cpu: "256", memory: "1 GB", containerDefinitions: [container({ cpu: 10, memory: 64 })] }), needs(256, 1024));
    assert.deepEqual(
      taskNeeds({ containerDefinitions: [container({ cpu: 10, memory: 64 }), { name: "d", cpu: 5, memory: 512, memoryReservation: 128 }] }),
      needs(15, 192),
    );
  });
  it("applies overrides", () => {
    const td = { containerDefinitions: [container({ cpu: 10, memory: 64 })] };
    assert.deepEqual(taskNeeds(td, { containerOverrides: [{ name: "c", cpu: 99, memory: 300 }] }), needs(99, 300));
    assert.deepEqual(taskNeeds(td, { cpu: "0.5 vCPU", memory: "2048" }), needs(512, 2048));
  });
  it("reserves static host ports only: bridge hostPort≠0, host-mode containerPort", () => {
    const pms = [{ containerPort: 80, hostPort: 8080 }, { containerPort: 81, hostPort: 0 }, { containerPort: 82 }, { containerPort: 53, protocol: "udp", hostPort: 5353 }];
    assert.deepEqual(taskNeeds({ networkMode: "bridge", containerDefinitions: [container({ portMappings: pms })] }), {
      cpu: 0,
      memory: 0,
      ports: [8080],
      udpPorts: [5353],
    });
    assert.deepEqual(taskNeeds({ networkMode: "host", containerDefinitions: [container({ portMappings: [{ containerPort: 80 }] })] }).ports, [80]);
    assert.deepEqual(taskNeeds({ networkMode: "none", containerDefinitions: [container({ portMappings: [{ containerPort: 80, hostPort: 80 }] })] }).ports, []);
  });
});
