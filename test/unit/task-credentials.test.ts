import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { CredentialsRedirect, type NatRunner } from "../../src/agent/credentials/redirect.js";
import { TaskCredentials } from "../../src/agent/credentials/task-credentials.js";
import { credentialsAnswer } from "../../src/agent/metadata/credentials-handler.js";
import type { MetadataTask } from "../../src/agent/metadata/responses.js";
import type { TaskRoleCredentials } from "../../src/contracts/agent-protocol.js";
import { refreshAt, roleAccount, taskRoleOf } from "../../src/core/task-role.js";

const creds = (n: number, expiresInMs: number): TaskRoleCredentials => ({
  RoleArn: "arn:aws:iam::123456789012:role/app",
  AccessKeyId: `ASIA${String(n).padStart(16, "0")}`,
  SecretAccessKey: "s",
  Token: "t",
  Expiration: new Date(Date.now() + expiresInMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
});

describe("task role: pure rules", () => {
  it("the task role is the overrides', else the definition's; never the execution role", () => {
    assert.equal(taskRoleOf({ taskRoleArn: "arn:aws:iam::1:role/d" }, { taskRoleArn: "arn:aws:iam::1:role/o" }), "arn:aws:iam::1:role/o");
    assert.equal(taskRoleOf({ taskRoleArn: "arn:aws:iam::1:role/d" }, {}), "arn:aws:iam::1:role/d");
    assert.equal(taskRoleOf({ executionRoleArn: "arn:aws:iam::1:role/x" }, { executionRoleArn: "arn:aws:iam::1:role/y" }), undefined);
    assert.equal(roleAccount("arn:aws:iam::123456789012:role/a/b"), "123456789012");
    assert.equal(roleAccount("arn:aws:iam::123456789012:user/a"), undefined);
  });

  it("refreshes halfway, and at least 15 minutes before expiry", () => {
    const h = 3600_000;
    assert.equal(refreshAt(0, 6 * h), 3 * h);
    assert.equal(refreshAt(0, 20 * 60_000), 5 * 60_000);
    assert.equal(refreshAt(1000, 2000), 1000);
  });
});

describe("credentials endpoint answers (amazon-ecs-agent's)", () => {
  const task = { assignment: { taskArn: "arn:task/1" } } as unknown as MetadataTask;
  const store = (c?: TaskRoleCredentials) => ({ tracks: (arn: string) => arn === "arn:task/1", get: () => c }) as unknown as TaskCredentials;
  const lookup = (o: { from?: boolean; c?: TaskRoleCredentials }) => ({ taskOf: (id: string) => (id === "good" ? task : undefined), fromTask: async () => o.from ?? true, credentials: store(o.c) });

  it("400 NoIdInRequest, 400 InvalidIdInRequest (unknown id, or another task asking), 503 uninitialized, 200 with ECS's fields", async () => {
    assert.deepEqual(await credentialsAnswer("v2", "", lookup({})), { status: 400, body: { code: "NoIdInRequest", message: "CredentialsV2Request: No Credential ID in the request" } });
    const notFound = { status: 400, body: { code: "InvalidIdInRequest", message: "CredentialsV2Request: Credentials not found" } };
    assert.deepEqual(await credentialsAnswer("v2", "guess", lookup({ c: creds(1, 60_000) })), notFound);
    assert.deepEqual(await credentialsAnswer("v2", "good", lookup({ from: false, c: creds(1, 60_000) })), notFound);
    assert.deepEqual((await credentialsAnswer("v1", "guess", lookup({}))).body, { code: "InvalidIdInRequest", message: "CredentialsV1Request: Credentials not found" });
    assert.deepEqual(await credentialsAnswer("v2", "good", lookup({})), { status: 503, body: { code: "CredentialsUninitialized", message: "CredentialsV2Request: Credentials uninitialized for ID" } });
    const c = creds(1, 60_000);
    const ok = await credentialsAnswer("v2", "good", lookup({ c }));
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.body as object), ["RoleArn", "AccessKeyId", "SecretAccessKey", "Token", "Expiration"]);
  });
});

describe("TaskCredentials", () => {
  // The store's timers are unref'd (they never hold an agent open): keep the loop alive, bounded.
  let keep: NodeJS.Timeout | undefined;
  beforeEach(() => void (keep = setTimeout(() => undefined, 20_000)));
  afterEach(() => clearTimeout(keep));

  it("fetches at track, refreshes before expiry, stops at forget", async () => {
    let n = 0;
    let second!: () => void;
    const refreshed = new Promise<void>((r) => (second = r));
    const store = new TaskCredentials({
      fetch: async () => {
        n++;
        if (n === 2) second();
        return creds(n, 2_000);
      },
    });
    await store.track("arn:task/1");
    assert.equal(store.get("arn:task/1")?.AccessKeyId, creds(1, 0).AccessKeyId);
    await refreshed;
    await new Promise((r) => setImmediate(r));
    assert.equal(store.get("arn:task/1")?.AccessKeyId, creds(2, 0).AccessKeyId);
    store.forget("arn:task/1");
    assert.equal(store.get("arn:task/1"), undefined);
    assert.equal(store.tracks("arn:task/1"), false);
    store.close();
  });

  it("a failed fetch leaves the task uninitialized and is retried", async () => {
    let n = 0;
    let ok!: () => void;
    const done = new Promise<void>((r) => (ok = r));
    const store = new TaskCredentials({
      fetch: async () => {
        if (++n === 1) throw new Error("server away");
        ok();
        return creds(n, 3600_000);
      },
    });
    await store.track("arn:task/2");
    assert.equal(store.get("arn:task/2"), undefined);
    await done;
    await new Promise((r) => setImmediate(r));
    assert.equal(store.get("arn:task/2")?.AccessKeyId, creds(2, 0).AccessKeyId);
    store.close();
  });
});

describe("CredentialsRedirect", () => {
  const recorder = (listing: string) => {
    const calls: string[] = [];
    const nat: NatRunner = { run: async (args) => (calls.push(args.join(" ")), args[0] === "-S" ? listing : "") };
    return { calls, nat };
  };

  it("one DNAT per container MAC with the agent's comment; replaced per task, removed per task", async () => {
    const { calls, nat } = recorder("");
    const r = new CredentialsRedirect("abc123", nat);
    await r.set("t1", [{ mac: "02:00:00:00:00:01", toIp: "172.17.0.1", toPort: 4000 }]);
    assert.deepEqual(calls, [
      "-I PREROUTING -d 169.254.170.2/32 -p tcp -m mac --mac-source 02:00:00:00:00:01 --dport 80 -m comment --comment wharf-creds:abc123 -j DNAT --to-destination 172.17.0.1:4000",
    ]);
    await r.set("t1", [{ mac: "02:00:00:00:00:02", toIp: "172.17.0.1", toPort: 4000 }]);
    assert.match(calls[1]!, /^-D PREROUTING .*02:00:00:00:00:01/);
    assert.match(calls[2]!, /^-I PREROUTING .*02:00:00:00:00:02/);
    await r.remove("t1");
    assert.match(calls[3]!, /^-D PREROUTING .*02:00:00:00:00:02/);
    assert.equal(calls.length, 4);
  });

  it("clear removes exactly this agent's rules from iptables -S (comments quoted)", async () => {
    const listing = [
      "-P PREROUTING ACCEPT",
      '-A PREROUTING -d 169.254.170.2/32 -p tcp -m mac --mac-source 02:00:00:00:00:01 -m tcp --dport 80 -m comment --comment "wharf-creds:abc123" -j DNAT --to-destination 172.17.0.1:4000',
      '-A PREROUTING -d 169.254.170.2/32 -p tcp -m mac --mac-source 02:00:00:00:00:03 -m tcp --dport 80 -m comment --comment "wharf-creds:abc1234" -j DNAT --to-destination 172.17.0.1:5000',
      "-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER",
    ].join("\n");
    const { calls, nat } = recorder(listing);
    await new CredentialsRedirect("abc123", nat).clear();
    assert.deepEqual(calls, [
      "-S PREROUTING",
      "-D PREROUTING -d 169.254.170.2/32 -p tcp -m mac --mac-source 02:00:00:00:00:01 -m tcp --dport 80 -m comment --comment wharf-creds:abc123 -j DNAT --to-destination 172.17.0.1:4000",
    ]);
  });
});
