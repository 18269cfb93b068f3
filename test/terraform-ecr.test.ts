import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, GetRepositoryPolicyCommand, ListTagsForResourceCommand } from "@aws-sdk/client-ecr";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-ecr with the real `terraform` binary and the hashicorp/aws provider from the
 * local mirror: aws_ecr_repository (mutability, scanning, tags, force_delete), aws_ecr_lifecycle_policy,
 * aws_ecr_repository_policy and data.aws_ecr_authorization_token apply, plan with no changes, and destroy; the token is there.
 */
describe("Terraform: ECR repositories, a lifecycle policy, a repository policy and the authorization token apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let ecr: ECRClient;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    ecr = new ECRClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    t = terraformStack("terraform-ecr", h.server.credentials, { endpoint: h.server.url, name: "tfecr" });
      });
  after(async () => {
    await t?.cleanup();
    ecr?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs();
    assert.equal(out.app_url!.value, `${h.server.registryHost}/tfecr/app`);
    assert.equal(out.app_arn!.value, `arn:aws:ecr:us-east-1:${h.server.accountId}:repository/tfecr/app`);
    assert.equal(out.registry!.value, `http://${h.server.registryHost}`);
    assert.equal(out.user_name!.value, "AWS");
    assert.equal(out.has_password!.value, true as unknown as string);
    const repo = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ["tfecr/app"] }))).repositories![0]!;
    assert.equal(repo.imageTagMutability, "IMMUTABLE");
    assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: repo.repositoryArn }))).tags, [{ Key: "team", Value: "dogs" }]);

    const lifecycle = JSON.parse((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: "tfecr/app" }))).lifecyclePolicyText!);
    assert.deepEqual(lifecycle.rules.map((r: { rulePriority: number }) => r.rulePriority), [1, 2]);
    const policy = JSON.parse((await ecr.send(new GetRepositoryPolicyCommand({ repositoryName: "tfecr/app" }))).policyText!);
    assert.deepEqual(policy.Statement[0].Principal, { AWS: `arn:aws:iam::${h.server.accountId}:root` });

    const plan = await t!.plan();
    assert.equal(plan.code, 0, plan.out);

    await t!.destroy();
    const left = (await ecr.send(new DescribeRepositoriesCommand({}))).repositories!;
    assert.deepEqual(left.map((r) => r.repositoryName), []);
  });
});
