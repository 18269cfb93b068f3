import assert from "node:assert/strict";
import { it } from "node:test";
import { instancesToWake } from "../../src/api/agent-wake.js";
import type { WriteOp } from "../../src/store/store.js";

const task = (value: Record<string, unknown>): WriteOp => ({ op: "put", kind: "task", id: "t", value });

it("wakes the instance of a task it must start, stop or forget, and of a written instance", () => {
  const ops: WriteOp[] = [
    task({ containerInstanceArn: "i-new", lastStatus: "PENDING", desiredStatus: "RUNNING" }),
    task({ containerInstanceArn: "i-vpc", lastStatus: "PROVISIONING", desiredStatus: "RUNNING" }),
    task({ containerInstanceArn: "i-stop", lastStatus: "RUNNING", desiredStatus: "STOPPED" }),
    task({ containerInstanceArn: "i-gone", lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
    { op: "put", kind: "container-instance", id: "i-drain", value: { status: "DRAINING" } },
  ];
  assert.deepEqual([...instancesToWake(ops)].sort(), ["i-drain", "i-gone", "i-new", "i-stop", "i-vpc"]);
});

it("does not wake anyone for a running task's own reports, unplaced tasks, deletes or other kinds", () => {
  const ops: WriteOp[] = [
    task({ containerInstanceArn: "i-1", lastStatus: "RUNNING", desiredStatus: "RUNNING", healthStatus: "HEALTHY" }),
    task({ lastStatus: "PENDING", desiredStatus: "RUNNING" }),
    { op: "delete", kind: "task", id: "t" },
    { op: "delete", kind: "container-instance", id: "i-2" },
    { op: "put", kind: "service", id: "s", value: { containerInstanceArn: "i-3", lastStatus: "PENDING" } },
  ];
  assert.deepEqual([...instancesToWake(ops)], []);
});
