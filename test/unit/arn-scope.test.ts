import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { clusterArn, clusterNameIn, idInCluster, partitionOf, scopeRef, serviceArn, taskArn } from "../../src/core/arn.js";
import { AwsError } from "../../src/core/errors.js";

const region = fc.constantFrom("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1");
const account = fc.stringMatching(/^\d{12}$/);
const name = fc.stringMatching(/^[a-zA-Z0-9_-]{1,40}$/);

describe("core/arn scoping", () => {
  it("the partition follows the Region", () => {
    assert.equal(partitionOf("us-east-1"), "aws");
    assert.equal(partitionOf("cn-northwest-1"), "aws-cn");
    assert.equal(partitionOf("us-gov-east-1"), "aws-us-gov");
    assert.equal(clusterArn({ region: "cn-north-1", accountId: "123456789012" }, "c"), "arn:aws-cn:ecs:cn-north-1:123456789012:cluster/c");
  });

  it("an ARN Wharf built for a principal resolves for that principal and for no other", () => {
    fc.assert(
      fc.property(region, account, region, account, name, name, (r1, a1, r2, a2, cluster, id) => {
        const p = { region: r1, accountId: a1 };
        const q = { region: r2, accountId: a2 };
        assert.equal(clusterNameIn(p, clusterArn(p, cluster)), cluster);
        assert.equal(idInCluster(p, taskArn(p, cluster, id), "task", cluster), id);
        assert.equal(idInCluster(p, serviceArn(p, cluster, id), "service", cluster), id);
        const same = r1 === r2 && a1 === a2;
        assert.equal(clusterNameIn(q, clusterArn(p, cluster)), same ? cluster : undefined);
        assert.equal(idInCluster(q, taskArn(p, cluster, id), "task", cluster), same ? id : undefined);
      }),
    );
  });

  it("a partition that does not match the Region is foreign", () => {
    const p = { region: "us-east-1", accountId: "000000000000" };
    assert.deepEqual(scopeRef(p, "arn:aws-cn:ecs:us-east-1:000000000000:cluster/x", "cluster"), { scope: "foreign" });
    assert.equal(scopeRef(p, "arn:aws:ecs:us-east-1:000000000000:cluster/x", "cluster").scope, "local");
  });

  it("anything else starting with arn: is InvalidParameterException", () => {
    const p = { region: "us-east-1", accountId: "000000000000" };
    for (const ref of [
      "arn:aws:lambda:us-east-1:000000000000:function:x",
      "arn:aws:ecs:us-east-1:000000000000:service/c/x",
      "arn:aws:ecs:us-east-1:000000000000:cluster/a/b",
      "arn:",
    ]) {
      assert.throws(() => clusterNameIn(p, ref), (e: unknown) => e instanceof AwsError && e.code === "InvalidParameterException", ref);
    }
    assert.throws(
      () => idInCluster(p, "arn:aws:ecs:us-east-1:000000000000:task/a/123", "task", "b"),
      /Identifier is for cluster a\. Your cluster is b/,
    );
    // old-format ARNs (no cluster segment) resolve in the cluster given
    assert.equal(idInCluster(p, "arn:aws:ecs:us-east-1:000000000000:task/123", "task", "b"), "123");
  });
});
