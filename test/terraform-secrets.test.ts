import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { DescribeSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, ListTagsForResourceCommand, SSMClient } from "@aws-sdk/client-ssm";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, terraformStack, type TerraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-secrets with the real `terraform` binary and the hashicorp/aws provider from
 * the local mirror: aws_ssm_parameter (SecureString), aws_secretsmanager_secret(+_version), an
 * execution role and a task definition using both apply, plan with no changes, and destroy.
 */
describe("Terraform: an SSM parameter, a secret and its version, and a task definition using both apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let ssm: SSMClient;
  let sm: SecretsManagerClient;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, registry: false, dnsPort: false } });
    const opts = { endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 };
    ssm = new SSMClient(opts);
    sm = new SecretsManagerClient(opts);
    t = terraformStack("terraform-secrets", h.server.credentials, { endpoint: h.server.url, name: "tfsec" });
  });
  after(async () => {
    await t?.cleanup();
    ssm?.destroy();
    sm?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs<string>();
    assert.equal(out.parameter_arn!.value, `arn:aws:ssm:us-east-1:${h.server.accountId}:parameter/tfsec/db/password`);
    assert.match(out.secret_arn!.value, new RegExp(`^arn:aws:secretsmanager:us-east-1:${h.server.accountId}:secret:tfsec/api-[A-Za-z0-9]{6}$`));
    const p = (await ssm.send(new GetParameterCommand({ Name: "/tfsec/db/password", WithDecryption: true }))).Parameter!;
    assert.deepEqual([p.Type, p.Value], ["SecureString", "change-me-db"]);
    assert.deepEqual((await ssm.send(new ListTagsForResourceCommand({ ResourceType: "Parameter", ResourceId: "/tfsec/db/password" }))).TagList, [{ Key: "app", Value: "tfsec" }]);
    assert.equal(JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: "tfsec/api" }))).SecretString!).password, "change-me-api");
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: out.secret_arn!.value }))).Description, "the API's credentials");
    const td = (await h.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: out.task_definition_arn!.value }))).taskDefinition!;
    assert.deepEqual(td.containerDefinitions![0]!.secrets, [
      { name: "DB_PASSWORD", valueFrom: out.parameter_arn!.value },
      { name: "API_KEY", valueFrom: `${out.secret_arn!.value}:password::` },
    ]);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, plan.out);

    await t!.destroy();
    await assert.rejects(ssm.send(new GetParameterCommand({ Name: "/tfsec/db/password" })), { name: "ParameterNotFound" });
    await assert.rejects(sm.send(new DescribeSecretCommand({ SecretId: "tfsec/api" })), { name: "ResourceNotFoundException" });
  });
});
