import { CreateClusterCommand, DeleteClusterCommand, DescribeClustersCommand, ListClustersCommand, UpdateClusterSettingsCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

describe("clusters through the SDK and the aws CLI", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());

  it("creates the default cluster when no name is given, idempotently", async () => {
    const a = await w.ecs.send(new CreateClusterCommand({}));
    assert.equal(a.cluster?.clusterName, "default");
    assert.equal(a.cluster?.clusterArn, "arn:aws:ecs:us-east-1:000000000000:cluster/default");
    const b = await w.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    assert.equal(b.cluster?.clusterArn, a.cluster?.clusterArn);
  });

  it("describes with includes and reports missing clusters as failures", async () => {
    await w.ecs.send(new CreateClusterCommand({ clusterName: "tagged", tags: [{ key: "team", value: "a" }] }));
    const out = await w.ecs.send(
      new DescribeClustersCommand({ clusters: ["tagged", "nope"], include: ["TAGS", "SETTINGS", "STATISTICS"] }),
    );
    assert.equal(out.clusters?.length, 1);
    assert.deepEqual(out.clusters?.[0]?.tags, [{ key: "team", value: "a" }]);
    assert.equal(out.clusters?.[0]?.settings?.[0]?.name, "containerInsights");
    assert.ok((out.clusters?.[0]?.statistics ?? []).length > 0);
    assert.deepEqual(out.failures, [{ arn: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", reason: "MISSING" }]);
  });

  it("updates settings, deletes, and hides deleted clusters from the list", async () => {
    await w.ecs.send(new CreateClusterCommand({ clusterName: "gone" }));
    const upd = await w.ecs.send(
      new UpdateClusterSettingsCommand({ cluster: "gone", settings: [{ name: "containerInsights", value: "enabled" }] }),
    );
    assert.equal(upd.cluster?.settings?.[0]?.value, "enabled");
    const del = await w.ecs.send(new DeleteClusterCommand({ cluster: "gone" }));
    assert.equal(del.cluster?.status, "INACTIVE");
    const list = await w.ecs.send(new ListClustersCommand({}));
    assert.ok(!list.clusterArns?.some((a) => a.endsWith("/gone")));
    await assert.rejects(w.ecs.send(new DeleteClusterCommand({ cluster: "gone" })), { name: "ClusterNotFoundException" });
  });

  it("works through the aws CLI", async () => {
    const out = await w.aws("ecs", "create-cluster", "--cluster-name", "cli-made");
    assert.equal(out.cluster.clusterName, "cli-made");
    const err = await w.awsError("ecs", "update-cluster-settings", "--cluster", "missing", "--settings", "name=containerInsights,value=enabled");
    assert.equal(err.code, "ClusterNotFoundException");
  });
});
