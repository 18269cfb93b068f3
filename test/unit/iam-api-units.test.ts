import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AWS_MANAGED_POLICIES } from "../../src/api/iam/aws-managed-policies.js";
import { IamDirectory } from "../../src/api/iam/directory.js";
import { iamPage } from "../../src/api/iam/paging.js";
import { IamIdentities } from "../../src/api/iam/resolver.js";
import { loadSecretBox, secretBox } from "../../src/api/iam/secret-box.js";
import type { AccessKeyDoc, UserDoc } from "../../src/api/iam/types.js";
import { evaluate, parsePolicy } from "../../src/core/iam/index.js";
import { keyedLock } from "../../src/store/keyed-lock.js";
import { SqliteStore } from "../../src/store/sqlite.js";

describe("IAM secret box (AES-256-GCM)", () => {
  it("opens what it sealed, never the same ciphertext twice, and refuses a tampered one or another key", () => {
    const box = secretBox(Buffer.alloc(32, 7));
    const a = box.seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert.notEqual(a, box.seal("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
    assert.ok(!a.includes("wJalr"));
    assert.equal(box.open(a), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    const raw = Buffer.from(a.slice(3), "base64url");
    raw[raw.length - 1]! ^= 1;
    assert.throws(() => box.open(`v1.${raw.toString("base64url")}`));
    assert.throws(() => secretBox(Buffer.alloc(32, 8)).open(a));
  });

  it("keeps its key in <dataDir>/iam.key, 0600, the same across loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "wharf-iamkey-"));
    try {
      const sealed = loadSecretBox(dir).seal("s");
      assert.equal(statSync(join(dir, "iam.key")).mode & 0o777, 0o600);
      assert.equal(Buffer.from(readFileSync(join(dir, "iam.key"), "utf8"), "base64").length, 32);
      assert.equal(loadSecretBox(dir).open(sealed), "s");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("IAM paging (Marker / MaxItems)", () => {
  it("walks every item once in key order, marks truncation, refuses a bad marker", () => {
    const items = ["e", "b", "a", "d", "c"];
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const p = iamPage(items, (x) => x, { MaxItems: 2, ...(marker ? { Marker: marker } : {}) });
      seen.push(...p.items);
      assert.equal(p.IsTruncated, p.Marker !== undefined);
      marker = p.Marker;
    } while (marker);
    assert.deepEqual(seen, ["a", "b", "c", "d", "e"]);
    assert.throws(() => iamPage(items, (x) => x, { Marker: "nope" }), { name: "InvalidInput" });
  });
});

describe("AWS managed policies data", () => {
  it("every document is a valid managed policy, every path is one IAM uses", () => {
    for (const p of AWS_MANAGED_POLICIES) {
      parsePolicy(p.document, "managed");
      assert.match(p.path, /^\/(service-role\/|aws-service-role\/)?$/, p.name);
    }
    const byName = new Map(AWS_MANAGED_POLICIES.map((p) => [p.name, p]));
    assert.equal(byName.get("AmazonECSTaskExecutionRolePolicy")!.path, "/service-role/");
    assert.equal(byName.get("AmazonEC2ContainerServiceforEC2Role")!.path, "/service-role/");
    assert.equal(byName.get("AdministratorAccess")!.path, "/");
  });
});

describe("IAM identity resolver", () => {
  it("an expired session: hidden by default, answered with its past expiresAt in \"answer\" mode", async () => {
    const store = new SqliteStore(":memory:");
    try {
      let now = 1_700_000_000_000;
      const box = secretBox(Buffer.alloc(32, 2));
      const dir = await IamDirectory.load(store, box, "123456789012", { now: () => now }, keyedLock());
      const session = { accessKeyId: "ASIAAAAAAAAAAAAAAAAA", sealedSecret: box.seal("s"), sealedToken: box.seal("t"), expiresAt: now + 1000, createdAt: now, kind: "Account" as const };
      await dir.commit([{ kind: "sts-session", id: session.accessKeyId, value: session }]);
      const hide = new IamIdentities(dir);
      const answer = new IamIdentities(dir, () => undefined, "answer");
      assert.equal(hide.resolve(session.accessKeyId)!.sessionToken, "t");
      assert.equal(answer.resolve(session.accessKeyId)!.expiresAt, now + 1000);
      now += 1000;
      assert.equal(hide.resolve(session.accessKeyId), undefined);
      assert.ok(hide.expired(session.accessKeyId));
      assert.equal(answer.resolve(session.accessKeyId)!.expiresAt, now);
    } finally {
      await store.close();
    }
  });


  it("resolves an active key to its user with compiled policies, and follows IAM writes", async () => {
    const store = new SqliteStore(":memory:");
    try {
      const box = secretBox(Buffer.alloc(32, 1));
      const dir = await IamDirectory.load(store, box, "123456789012", { now: () => 1_700_000_000_000 }, keyedLock());
      const ids = new IamIdentities(dir);
      const user: UserDoc = {
        name: "u",
        path: "/",
        id: "AIDAAAAAAAAAAAAAAAAAA",
        arn: "arn:aws:iam::123456789012:user/u",
        createDate: 0,
        tags: [{ Key: "team", Value: "red" }],
        inline: { p: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ecs:List*", Resource: "*" }] }) },
        attached: [],
      };
      const key: AccessKeyDoc = { id: "AKIAAAAAAAAAAAAAAAAA", userName: "u", status: "Active", createDate: 0, sealedSecret: box.seal("secret") };
      await dir.commit([{ kind: "iam-user", id: "u", value: user }, { kind: "iam-access-key", id: key.id, value: key }]);
      const c = ids.resolve(key.id)!;
      assert.equal(c.secretAccessKey, "secret");
      assert.deepEqual(c.principal.tags, { team: "red" });
      assert.equal(ids.resolve(key.id), c, "cached");
      const allowed = (a: string) => evaluate({ principal: c.principal, action: a, resource: "*" }, ids.resolve(key.id)!.policies).decision;
      assert.equal(allowed("ecs:ListClusters"), "Allow");
      assert.equal(allowed("ecs:CreateCluster"), "ImplicitDeny");
      await dir.commit([{ kind: "iam-user", id: "u", value: { ...user, attached: ["arn:aws:iam::aws:policy/AdministratorAccess"] } }]);
      assert.notEqual(ids.resolve(key.id), c, "an IAM write drops the cache");
      assert.equal(allowed("ecs:CreateCluster"), "Allow");
      await dir.commit([{ kind: "iam-access-key", id: key.id, value: { ...key, status: "Inactive" } }]);
      assert.equal(ids.resolve(key.id), undefined);
      assert.equal(ids.resolve("AKIAUNKNOWNUNKNOWN00"), undefined);
    } finally {
      await store.close();
    }
  });
});
