import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { DockerClient } from "../../src/agent/docker/client.js";
import { LogShipper, ResourceInitializationError } from "../../src/agent/logs/shipper.js";
import type { LogsCall } from "../../src/contracts/logs-client.js";
import { EcsApiError } from "../../src/contracts/wharf-client.js";
import type { LogRoute } from "../../src/core/log-route.js";
import { usableExecutionRole } from "../../src/core/task-role.js";

/** The log shipper's set-up under a task's execution role: whose calls it makes, and ECS's words when the role is refused. */

const TASK = "arn:aws:ecs:us-east-1:111122223333:task/c/0123456789abcdef0123456789abcdef";
const route = (over: Partial<LogRoute> & { createGroup?: boolean } = {}): LogRoute => ({
  driver: "awslogs",
  destination: { type: "cloudwatch", region: "us-east-1", group: "/g", stream: "p/app/0123", createGroup: over.createGroup ?? false },
  mode: "blocking",
  maxBufferBytes: 1 << 20,
  taskArn: TASK,
  containerName: "app",
  ...over,
});

describe("log delivery set-up under the execution role", () => {
  const dir = mkdtempSync(join(tmpdir(), "wharf-exrole-unit-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const calls: string[] = [];
  const recording = (who: string, fail?: (op: string) => Error | undefined): LogsCall =>
    (async (_region: string, op: string) => {
      calls.push(`${who} ${op}`);
      const e = fail?.(op);
      if (e) throw e;
      return {};
    }) as LogsCall;
  const shipper = (role: LogsCall) =>
    new LogShipper({
      docker: {} as DockerClient,
      call: recording("agent"),
      roleCalls: { callFor: (r) => (r.taskArn === TASK ? role : undefined), forget: () => undefined },
      dataDir: dir,
      instanceLabels: {},
    });

  it("the agent works under execution roles of the task's own account only", () => {
    const own = "arn:aws:iam::111122223333:role/exec";
    assert.equal(usableExecutionRole(TASK, { executionRoleArn: own }), own);
    assert.equal(usableExecutionRole(TASK, { executionRoleArn: "arn:aws:iam::123456789012:role/exec" }), undefined);
    assert.equal(usableExecutionRole(TASK, { executionRoleArn: "arn:aws:iam::123456789012:role/exec" }, { executionRoleArn: own }), own);
    assert.equal(usableExecutionRole(TASK, {}), undefined);
  });

  it("a route with an execution role is set up with the role's calls; one without, with the agent's", async () => {
    calls.length = 0;
    const s = shipper(recording("role"));
    await s.prepare([route({ executionRoleArn: "arn:aws:iam::111122223333:role/exec", createGroup: true })]);
    await s.prepare([route({ destination: { type: "cloudwatch", region: "us-east-1", group: "/h", stream: "x", createGroup: false } })]);
    assert.deepEqual(calls, ["role CreateLogGroup", "role CreateLogStream", "agent CreateLogStream"]);
  });

  it("a refused CreateLogStream / CreateLogGroup stops the task in ECS's words, with the request id", async () => {
    const denied = (op: string) =>
      new EcsApiError("AccessDeniedException", `User: arn:aws:sts::111122223333:assumed-role/exec/0123 is not authorized to perform: logs:${op} on resource: R because no identity-based policy allows the logs:${op} action`, 400, "11111111-2222-3333-4444-555555555555");
    for (const [op, what, createGroup] of [
      ["CreateLogStream", "stream", false],
      ["CreateLogGroup", "group", true],
    ] as const) {
      const s = shipper(recording("role", (o) => (o === op ? denied(o) : undefined)));
      await assert.rejects(s.prepare([route({ executionRoleArn: "arn:aws:iam::111122223333:role/exec", createGroup })]), (e: Error) => {
        assert.ok(e instanceof ResourceInitializationError);
        assert.equal(
          e.message,
          `failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log ${what}: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/exec/0123 is not authorized to perform: logs:${op} on resource: R because no identity-based policy allows the logs:${op} action status code: 400, request id: 11111111-2222-3333-4444-555555555555 : exit status 1`,
        );
        return true;
      });
    }
  });
});
