import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { exampleFile, startTestWharf, type TestWharf } from "./helpers/harness.js";

/**
 * Every seed task definition, registered with the real `aws` CLI exactly as a user would
 * (`aws ecs register-task-definition --cli-input-json file://…`), must behave as ECS does.
 * python-service.json is a CreateService input, not a task definition: services come later,
 * so it is not exercised here.
 */

const ACCOUNT = "000000000000";
const CALLER = `arn:aws:iam::${ACCOUNT}:root`;
const NGINX_FAMILY = "ecs-networking-demo-bridge-dyn";
const attrNames = (td: { requiresAttributes?: { name: string }[] }) => (td.requiresAttributes ?? []).map((a) => a.name);

describe("seed fixtures through the aws CLI", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());
  const registerFixture = async (name: string) =>
    (await w.aws("ecs", "register-task-definition", "--cli-input-json", `file://${exampleFile(name)}`)).taskDefinition;
  const describeTd = async (ref: string) => (await w.aws("ecs", "describe-task-definition", "--task-definition", ref)).taskDefinition;

  it("dogs-ec2-awsvpc.json registers with the computed fields of the dogs example", async () => {
    const td = await registerFixture("dogs-ec2-awsvpc.json");
    assert.equal(td.taskDefinitionArn, `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/dogsdef:1`);
    assert.equal(td.revision, 1);
    assert.equal(td.status, "ACTIVE");
    assert.equal(td.registeredBy, CALLER);
    assert.deepEqual(td.requiresCompatibilities, ["EC2"]);
    assert.deepEqual(td.compatibilities, ["EC2"], "as in the seed slide: FARGATE was not requested");
    assert.equal(td.networkMode, "awsvpc");
    assert.deepEqual([td.cpu, td.memory], ["512", "1024"]);
    assert.deepEqual(td.runtimePlatform, { cpuArchitecture: "X86_64", operatingSystemFamily: "LINUX" });
    const c = td.containerDefinitions[0];
    assert.deepEqual(c.portMappings, [{ name: "dogs-80-tcp", containerPort: 80, hostPort: 80, protocol: "tcp", appProtocol: "http" }]);
    assert.equal(c.logConfiguration.options["awslogs-group"], "/ecs/dogsdef");
    // The four entries visible in the seed slide, plus what awsvpc, the task role and awslogs imply.
    const names = attrNames(td);
    for (const n of [
      "com.amazonaws.ecs.capability.ecr-auth",
      "com.amazonaws.ecs.capability.docker-remote-api.1.19",
      "ecs.capability.execution-role-ecr-pull",
      "com.amazonaws.ecs.capability.docker-remote-api.1.29",
      "com.amazonaws.ecs.capability.logging-driver.awslogs",
      "ecs.capability.execution-role-awslogs",
      "com.amazonaws.ecs.capability.task-iam-role",
      "ecs.capability.task-eni",
      "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    ]) {
      assert.ok(names.includes(n), `requiresAttributes lacks ${n}: ${names.join(", ")}`);
    }
    assert.deepEqual(await describeTd("dogsdef"), td);
  });

  it("sample-fargate.json registers with FARGATE among its compatibilities", async () => {
    const td = await registerFixture("sample-fargate.json");
    assert.equal(td.revision, 1);
    assert.deepEqual(td.compatibilities, ["EC2", "FARGATE"]);
    assert.deepEqual(td.requiresCompatibilities, ["FARGATE"]);
    assert.equal(td.registeredBy, CALLER);
    const c = td.containerDefinitions[0];
    assert.deepEqual(c.entryPoint, ["sh", "-c"]);
    assert.match(c.command[0], /httpd-foreground/);
    assert.deepEqual(c.portMappings, [{ containerPort: 80, hostPort: 80, protocol: "tcp" }]);
    assert.deepEqual([c.cpu, c.essential, c.environment, c.mountPoints, c.volumesFrom], [0, true, [], [], []]);
    const names = attrNames(td);
    assert.ok(names.includes("ecs.capability.task-eni"));
    assert.ok(!names.includes("com.amazonaws.ecs.capability.ecr-auth"), "httpd:2.4 is not an ECR image");
    assert.deepEqual(await describeTd("sample-fargate:1"), td);
  });

  it("the three nginx networking demos share one family and take revisions 1, 2, 3", async () => {
    const awsvpc = await registerFixture("nginx-awsvpc.json");
    const dynamic = await registerFixture("nginx-bridge-dynamic.json");
    const fixed = await registerFixture("nginx-bridge-static.json");
    assert.deepEqual([awsvpc.revision, dynamic.revision, fixed.revision], [1, 2, 3]);
    for (const td of [awsvpc, dynamic, fixed]) {
      assert.equal(td.family, NGINX_FAMILY);
      assert.equal(td.status, "ACTIVE");
      assert.equal(td.registeredBy, CALLER);
      assert.deepEqual(td.containerDefinitions[0].linuxParameters, { initProcessEnabled: true });
      const names = attrNames(td);
      assert.ok(names.includes("com.amazonaws.ecs.capability.task-iam-role"), "taskRoleArn implies task-iam-role");
      assert.ok(names.includes("com.amazonaws.ecs.capability.docker-remote-api.1.25"), "initProcessEnabled needs Docker API 1.25");
    }
    // awsvpc fills hostPort = containerPort; bridge keeps the requested mapping.
    assert.deepEqual(awsvpc.containerDefinitions[0].portMappings, [{ protocol: "tcp", containerPort: 80, hostPort: 80 }]);
    assert.ok(attrNames(awsvpc).includes("ecs.capability.task-eni"));
    assert.deepEqual(awsvpc.compatibilities, ["EC2"]);
    assert.deepEqual(dynamic.containerDefinitions[0].portMappings, [{ hostPort: 0, protocol: "tcp", containerPort: 80 }]);
    assert.deepEqual(fixed.containerDefinitions[0].portMappings, [{ hostPort: 8080, protocol: "tcp", containerPort: 80 }]);
    for (const td of [dynamic, fixed]) {
      assert.equal(td.networkMode, "bridge");
      assert.deepEqual(td.compatibilities, ["EC2"]);
      assert.ok(!attrNames(td).includes("ecs.capability.task-eni"));
    }
    assert.equal((await describeTd(NGINX_FAMILY)).revision, 3);
    const listed = await w.aws("ecs", "list-task-definitions", "--family-prefix", NGINX_FAMILY);
    assert.deepEqual(listed.taskDefinitionArns, [1, 2, 3].map((r) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${NGINX_FAMILY}:${r}`));
  });

  it("nginx-host.json (networkMode \"Host\") is refused with a message naming networkMode and its valid values", async () => {
    assert.equal(JSON.parse(readFileSync(exampleFile("nginx-host.json"), "utf8")).networkMode, "Host");
    const err = await w.awsError("ecs", "register-task-definition", "--cli-input-json", `file://${exampleFile("nginx-host.json")}`);
    assert.equal(err.code, "InvalidParameterException");
    assert.match(
      err.stderr,
      /1 validation error detected: Value 'Host' at 'networkMode' failed to satisfy constraint: Member must satisfy enum value set: \[bridge, host, awsvpc, none\]/,
    );
    const families = await w.aws("ecs", "list-task-definition-families");
    assert.ok(!families.families.includes("nginx-host"));
  });
});
