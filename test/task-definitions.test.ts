import {
  DeleteTaskDefinitionsCommand,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  paginateListTaskDefinitions,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const ACCOUNT = "000000000000";
const arnOf = (family: string, revision: number) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${revision}`;
const def = (family: string, over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
  family,
  containerDefinitions: [{ name: "app", image: "busybox:1.36", memory: 32, command: ["sleep", "60"] }],
  ...over,
});

describe("task definitions through the SDK", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());
  const register = async (family: string, over: Partial<RegisterTaskDefinitionCommandInput> = {}) =>
    (await w.ecs.send(new RegisterTaskDefinitionCommand(def(family, over)))).taskDefinition!;
  const rejects = (p: Promise<unknown>, name: string, message: RegExp) => assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    assert.match(e.message, message);
    return true;
  });

  it("registers with computed fields and tags, and describes by family, family:revision and ARN", async () => {
    const before = Date.now();
    const out = await w.ecs.send(
      new RegisterTaskDefinitionCommand(def("sdk-web", { tags: [{ key: "team", value: "core" }], networkMode: "awsvpc", cpu: "256", memory: "512" })),
    );
    const td = out.taskDefinition!;
    assert.equal(td.taskDefinitionArn, arnOf("sdk-web", 1));
    assert.equal(td.revision, 1);
    assert.equal(td.status, "ACTIVE");
    assert.deepEqual(td.compatibilities, ["EC2", "FARGATE"]);
    assert.equal(td.registeredBy, `arn:aws:iam::${ACCOUNT}:root`);
    assert.ok(td.registeredAt instanceof Date && td.registeredAt.getTime() >= before - 1000 && td.registeredAt.getTime() <= Date.now() + 1000);
    assert.deepEqual(out.tags, [{ key: "team", value: "core" }]);
    assert.ok(td.requiresAttributes?.some((a) => a.name === "ecs.capability.task-eni"));

    for (const ref of ["sdk-web", "sdk-web:1", arnOf("sdk-web", 1)]) {
      const d = await w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
      assert.equal(d.taskDefinition?.taskDefinitionArn, arnOf("sdk-web", 1), ref);
      assert.equal(d.tags, undefined);
    }
    const tagged = await w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-web", include: ["TAGS"] }));
    assert.deepEqual(tagged.tags, [{ key: "team", value: "core" }]);
    await rejects(w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "nope" })), "ClientException", /^Unable to describe task definition\.$/);
    await rejects(w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-web:9" })), "ClientException", /Unable to describe/);
  });

  it("refuses invalid definitions with ECS's errors", async () => {
    await rejects(
      w.ecs.send(new RegisterTaskDefinitionCommand(def("sdk-bad", { requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "1024", memory: "1024" }))),
      "ClientException",
      /No Fargate configuration exists for given values: 1024 CPU, 1024 memory/,
    );
    await rejects(
      w.ecs.send(new RegisterTaskDefinitionCommand(def("sdk-bad", { networkMode: "Host" as "host" }))),
      "InvalidParameterException",
      /'networkMode'.*bridge, host, awsvpc, none/,
    );
    // A refused registration uses no revision.
    assert.equal((await register("sdk-bad")).revision, 1);
  });

  it("deregisters to INACTIVE, describes the latest ACTIVE revision, deletes, and never reuses revisions", async () => {
    for (const n of [1, 2, 3]) assert.equal((await register("sdk-rev")).revision, n);
    const dereg = await w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "sdk-rev:3" }));
    assert.equal(dereg.taskDefinition?.status, "INACTIVE");
    assert.ok(dereg.taskDefinition?.deregisteredAt instanceof Date);
    assert.equal((await w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-rev" }))).taskDefinition?.revision, 2);
    // An explicit revision still describes an INACTIVE one.
    assert.equal((await w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-rev:3" }))).taskDefinition?.status, "INACTIVE");
    await rejects(w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "sdk-rev" })), "ClientException", /Revision is missing/);
    await rejects(w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "sdk-rev:x" })), "InvalidParameterException", /Invalid revision number\. Number: x/);

    const del = await w.ecs.send(
      new DeleteTaskDefinitionsCommand({ taskDefinitions: ["sdk-rev:3", arnOf("sdk-rev", 2), "sdk-rev", "sdk-rev:77"] }),
    );
    assert.deepEqual(del.taskDefinitions?.map((t) => [t.taskDefinitionArn, t.status]), [[arnOf("sdk-rev", 3), "DELETE_IN_PROGRESS"]]);
    assert.deepEqual(del.failures, [
      { arn: arnOf("sdk-rev", 2), reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again." },
      { arn: "sdk-rev", reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again." },
      { arn: arnOf("sdk-rev", 77), reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again." },
    ]);
    // Nothing uses revision 3, so it is gone.
    await rejects(w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-rev:3" })), "ClientException", /Unable to describe/);
    for (const r of [1, 2]) await w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `sdk-rev:${r}` }));
    await w.ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["sdk-rev:1", "sdk-rev:2"] }));
    await rejects(w.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "sdk-rev" })), "ClientException", /Unable to describe/);
    assert.equal((await register("sdk-rev")).revision, 4);
    await w.stop();
    await w.restart();
    assert.equal((await register("sdk-rev")).revision, 5, "revision counter survives a restart");
  });
});

describe("listing task definitions and families", () => {
  let w: TestWharf;
  // 130 revisions: pg-a ×50, pg-ab ×50, pg-b ×30.
  const plan: [string, number][] = [["pg-a", 50], ["pg-ab", 50], ["pg-b", 30]];
  const expected = plan.flatMap(([f, n]) => Array.from({ length: n }, (_, i) => arnOf(f, i + 1)));
  before(async () => {
    w = await startTestWharf();
    for (const [family, n] of plan) {
      for (let i = 0; i < n; i++) await w.ecs.send(new RegisterTaskDefinitionCommand(def(family)));
    }
  });
  after(async () => w.close());

  it("pages 100 then 30, family then numeric revision, with no nextToken on the last page", async () => {
    const p1 = await w.ecs.send(new ListTaskDefinitionsCommand({}));
    assert.equal(p1.taskDefinitionArns?.length, 100);
    assert.ok(p1.nextToken);
    const p2 = await w.ecs.send(new ListTaskDefinitionsCommand({ nextToken: p1.nextToken }));
    assert.equal(p2.taskDefinitionArns?.length, 30);
    assert.equal(p2.nextToken, undefined);
    assert.deepEqual([...p1.taskDefinitionArns!, ...p2.taskDefinitionArns!], expected);
  });

  it("sorts DESC and pages with the SDK paginator", async () => {
    const desc: string[] = [];
    let pages = 0;
    for await (const p of paginateListTaskDefinitions({ client: w.ecs, pageSize: 40 }, { sort: "DESC" })) {
      desc.push(...(p.taskDefinitionArns ?? []));
      pages++;
    }
    assert.equal(pages, 4);
    assert.deepEqual(desc, [...expected].reverse());
    const all: string[] = [];
    for await (const p of paginateListTaskDefinitions({ client: w.ecs }, {})) all.push(...(p.taskDefinitionArns ?? []));
    assert.deepEqual(all, expected);
  });

  it("filters by the full family name and by status", async () => {
    const a = await w.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "pg-a" }));
    assert.deepEqual(a.taskDefinitionArns, expected.slice(0, 50));
    for (const r of [1, 2]) await w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `pg-b:${r}` }));
    const inactive = await w.ecs.send(new ListTaskDefinitionsCommand({ status: "INACTIVE" }));
    assert.deepEqual(inactive.taskDefinitionArns, [arnOf("pg-b", 1), arnOf("pg-b", 2)]);
    const b = await w.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "pg-b" }));
    assert.equal(b.taskDefinitionArns?.length, 28);
    await assert.rejects(w.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 })), { name: "InvalidParameterException" });
  });

  it("lists families by prefix and status; a family is ACTIVE while any revision is", async () => {
    const all = await w.ecs.send(new ListTaskDefinitionFamiliesCommand({}));
    assert.deepEqual(all.families, ["pg-a", "pg-ab", "pg-b"]);
    const byPrefix = await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "pg-a" }));
    assert.deepEqual(byPrefix.families, ["pg-a", "pg-ab"]);
    const paged = await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 2 }));
    assert.deepEqual(paged.families, ["pg-a", "pg-ab"]);
    const rest = await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ maxResults: 2, nextToken: paged.nextToken }));
    assert.deepEqual(rest.families, ["pg-b"]);
    assert.equal(rest.nextToken, undefined);

    for (let r = 1; r <= 30; r++) {
      await w.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: `pg-b:${r}` }));
    }
    assert.deepEqual((await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "ACTIVE" }))).families, ["pg-a", "pg-ab"]);
    assert.deepEqual((await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "INACTIVE" }))).families, ["pg-b"]);
    assert.deepEqual((await w.ecs.send(new ListTaskDefinitionFamiliesCommand({ status: "ALL" }))).families, ["pg-a", "pg-ab", "pg-b"]);
  });
});
