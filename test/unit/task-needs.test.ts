import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { taskRequirements } from "../../src/core/placement/index.js";
import { assignGpus, taskNeeds } from "../../src/core/task-needs.js";

/** The one derivation of what a task holds on its instance (stored on the task, read by placement). */
describe("task needs", () => {
  const container = (o: object) => ({ name: "c", ...o });
  const needs = (cpu: number, memory: number, ports: number[] = []) => ({ cpu, memory, ports, udpPorts: [] });

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
    assert.deepEqual(taskNeeds({ networkMode: "host", containerDefinitions: [container({ portMappings: [{ containerPort: 81, hostPort: 0 }] })] }).ports, [81]);
    assert.deepEqual(taskNeeds({ networkMode: "none", containerDefinitions: [container({ portMappings: [{ containerPort: 80, hostPort: 80 }] })] }).ports, []);
  });

  it("counts GPUs from resourceRequirements (overrides replace a container's), and hands ids out per container", () => {
    const td = {
      containerDefinitions: [
        { name: "a", memory: 64, resourceRequirements: [{ type: "GPU", value: "2" }] },
        { name: "b", memory: 64 },
        { name: "c", memory: 64, resourceRequirements: [{ type: "GPU", value: "1" }, { type: "InferenceAccelerator", value: "x" }] },
      ],
    };
    assert.equal(taskNeeds(td).gpus, 3);
    assert.equal(taskNeeds(td, { containerOverrides: [{ name: "a", resourceRequirements: [{ type: "GPU", value: "1" }] }] }).gpus, 2);
    assert.equal(taskNeeds({ containerDefinitions: [{ name: "x", memory: 1 }] }).gpus, undefined);
    assert.deepEqual([...assignGpus(td, undefined, ["g0", "g1", "g2"])], [["a", ["g0", "g1"]], ["c", ["g2"]]]);
  });

  it("is what the placement engine reads (taskRequirements), with empty lists left out", () => {
    const td = {
      networkMode: "awsvpc",
      cpu: "1 vCPU",
      memory: "2GB",
      containerDefinitions: [{ name: "ml", memory: 1024, resourceRequirements: [{ type: "GPU", value: "2" }] }],
    };
    assert.deepEqual(taskRequirements(td as never), { cpu: 1024, memory: 2048, gpus: 2, eni: true });
  });
});
