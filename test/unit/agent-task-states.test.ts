import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  AGENT_CONTAINER_STATUSES,
  AGENT_TASK_STATUSES,
  CONTAINER_TRANSITIONS,
  containerStatusOfDocker,
  moveContainer,
  moveTask,
  REPORTED_CONTAINER_STATUS,
  TASK_TRANSITIONS,
} from "../../src/core/agent-task-states.js";

describe("the agent's task and container state tables", () => {
  it("tasks move forward only, and every status can still reach STOPPED", () => {
    for (const from of AGENT_TASK_STATUSES) {
      for (const to of TASK_TRANSITIONS[from]) {
        assert.ok(AGENT_TASK_STATUSES.indexOf(to) > AGENT_TASK_STATUSES.indexOf(from), `${from} → ${to}`);
      }
      assert.ok(from === "STOPPED" || TASK_TRANSITIONS[from].includes("STOPPED"), `${from} can stop`);
    }
    assert.throws(() => moveTask("RUNNING", "PENDING"), /task status cannot move from RUNNING to PENDING/);
    assert.throws(() => moveTask("STOPPED", "RUNNING"), /cannot move from STOPPED to RUNNING/);
    assert.equal(moveTask("NONE", "RUNNING"), "RUNNING", "every container adopted running after a restart");
  });

  it("any sequence of moves the table allows ends no earlier than it began (containers)", () => {
    const status = fc.constantFrom(...AGENT_CONTAINER_STATUSES);
    fc.assert(
      fc.property(fc.array(status, { maxLength: 12 }), (targets) => {
        let cur: (typeof AGENT_CONTAINER_STATUSES)[number] = "NONE";
        for (const to of targets) {
          const allowed = to === cur || CONTAINER_TRANSITIONS[cur].includes(to);
          if (!allowed) {
            assert.throws(() => moveContainer(cur, to));
            continue;
          }
          const next = moveContainer(cur, to);
          assert.ok(AGENT_CONTAINER_STATUSES.indexOf(next) >= AGENT_CONTAINER_STATUSES.indexOf(cur));
          cur = next;
        }
      }),
    );
  });

  it("Docker states read as agent statuses; the control plane hears PENDING until a container runs", () => {
    assert.deepEqual(
      ["created", "running", "paused", "restarting", "exited", "dead", "removing"].map(containerStatusOfDocker),
      ["CREATED", "RUNNING", "RUNNING", "RUNNING", "STOPPED", "STOPPED", "STOPPED"],
    );
    assert.deepEqual(AGENT_CONTAINER_STATUSES.map((s) => REPORTED_CONTAINER_STATUS[s]), ["PENDING", "PENDING", "RUNNING", "STOPPED"]);
  });
});
