import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const ACCT = "000000000000";
const arn = (rest: string) => `arn:aws:ecs:us-east-1:${ACCT}:${rest}`;

describe("TagResource / UntagResource / ListTagsForResource", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());

  const list = async (resourceArn: string) =>
    (await w.ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? [];

  it("tags, overwrites, untags a cluster, and DescribeClusters sees the same tags", async () => {
    const c = await w.ecs.send(new CreateClusterCommand({ clusterName: "tag-c1", tags: [{ key: "team", value: "a" }] }));
    const cArn = c.cluster!.clusterArn!;
    assert.deepEqual(await list(cArn), [{ key: "team", value: "a" }]);
    await w.ecs.send(
      new TagResourceCommand({ resourceArn: cArn, tags: [{ key: "team", value: "b" }, { key: "env", value: "dev" }] }),
    );
    const tags = await list(cArn);
    assert.deepEqual(
      [...tags].sort((x, y) => x.key!.localeCompare(y.key!)),
      [{ key: "env", value: "dev" }, { key: "team", value: "b" }],
    );
    await w.ecs.send(new UntagResourceCommand({ resourceArn: cArn, tagKeys: ["team", "not-there"] }));
    assert.deepEqual(await list(cArn), [{ key: "env", value: "dev" }]);
    const d = await w.ecs.send(new DescribeClustersCommand({ clusters: ["tag-c1"], include: ["TAGS"] }));
    assert.deepEqual(d.clusters?.[0]?.tags, [{ key: "env", value: "dev" }]);
  });

  it("tags every other taggable kind when its record exists", async () => {
    const store = w.server.deps.store;
    const records = [
      { kind: "taskdef" as const, id: arn("task-definition/web:1") },
      { kind: "task" as const, id: arn("task/tag-c1/0123456789abcdef0123456789abcdef") },
      { kind: "container-instance" as const, id: arn("container-instance/tag-c1/fedcba9876543210fedcba9876543210") },
      { kind: "service" as const, id: arn("service/tag-c1/web") },
      { kind: "capacity-provider" as const, id: arn("capacity-provider/cp1") },
    ];
    for (const r of records) {
      await assert.rejects(w.ecs.send(new TagResourceCommand({ resourceArn: r.id, tags: [{ key: "k", value: "v" }] })), {
        name: "ResourceNotFoundException",
      });
      await store.write([{ op: "put", kind: r.kind, id: r.id, value: { status: "ACTIVE" } }]);
      await w.ecs.send(new TagResourceCommand({ resourceArn: r.id, tags: [{ key: "k", value: r.kind }] }));
      assert.deepEqual(await list(r.id), [{ key: "k", value: r.kind }], r.kind);
    }
  });

  it("answers ECS's errors for bad or missing resources", async () => {
    await assert.rejects(w.ecs.send(new ListTagsForResourceCommand({ resourceArn: "not-an-arn" })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(w.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn("cluster/never-made") })), {
      name: "ClusterNotFoundException",
    });
    await assert.rejects(
      w.ecs.send(new TagResourceCommand({ resourceArn: arn("service/old-short"), tags: [{ key: "a", value: "b" }] })),
      { name: "InvalidParameterException", message: "Long arn format must be used for tagging operations" },
    );
    await assert.rejects(
      w.ecs.send(new TagResourceCommand({ resourceArn: arn("container/c/t/u"), tags: [{ key: "a", value: "b" }] })),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(
      w.ecs.send(
        new TagResourceCommand({ resourceArn: "arn:aws:ecs:us-east-1:111111111111:cluster/tag-c1", tags: [{ key: "a", value: "b" }] }),
      ),
      { name: "InvalidParameterException" },
    );
    await w.ecs.send(new CreateClusterCommand({ clusterName: "tag-gone" }));
    await w.ecs.send(new DeleteClusterCommand({ cluster: "tag-gone" }));
    await assert.rejects(w.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn("cluster/tag-gone") })), {
      name: "InvalidParameterException",
      message: /cluster is inactive/,
    });
  });

  it("enforces the tag rules: aws: prefix reserved, at most 50", async () => {
    const cArn = arn("cluster/tag-c1");
    await assert.rejects(
      w.ecs.send(new TagResourceCommand({ resourceArn: cArn, tags: [{ key: "aws:owner", value: "x" }] })),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(w.ecs.send(new UntagResourceCommand({ resourceArn: cArn, tagKeys: ["AWS:owner"] })), {
      name: "InvalidParameterException",
    });
    const many = Array.from({ length: 49 }, (_, i) => ({ key: `k${i}`, value: String(i) }));
    await w.ecs.send(new TagResourceCommand({ resourceArn: cArn, tags: many })); // 49 + "env" = 50
    assert.equal((await list(cArn)).length, 50);
    await assert.rejects(w.ecs.send(new TagResourceCommand({ resourceArn: cArn, tags: [{ key: "one-more", value: "" }] })), {
      name: "InvalidParameterException",
    });
    assert.equal((await list(cArn)).length, 50, "a refused TagResource changes nothing");
    await w.ecs.send(new TagResourceCommand({ resourceArn: cArn, tags: [{ key: "k0", value: "replaced" }] }));
    assert.ok((await list(cArn)).some((t) => t.key === "k0" && t.value === "replaced"));
  });

  it("works through the aws CLI", async () => {
    const cArn = (await w.aws("ecs", "create-cluster", "--cluster-name", "tag-cli")).cluster.clusterArn;
    await w.aws("ecs", "tag-resource", "--resource-arn", cArn, "--tags", "key=a,value=1", "key=b,value=2");
    await w.aws("ecs", "untag-resource", "--resource-arn", cArn, "--tag-keys", "a");
    const out = await w.aws("ecs", "list-tags-for-resource", "--resource-arn", cArn);
    assert.deepEqual(out.tags, [{ key: "b", value: "2" }]);
    const err = await w.awsError("ecs", "list-tags-for-resource", "--resource-arn", arn("cluster/nope-cli"));
    assert.equal(err.code, "ClusterNotFoundException");
  });
});
