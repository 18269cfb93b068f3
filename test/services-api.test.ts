import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeClustersCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  ListServicesByNamespaceCommand,
  ListServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { exampleFile, startTestWharf, type TestWharf } from "./helpers/harness.js";
import { defaultSubnetIds } from "./helpers/agent-tasks.js";
import { createLoadBalancer } from "./helpers/lb-setup.js";
import { createRegistry } from "./helpers/cloud-map.js";
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeSecurityGroupsCommand } from "@aws-sdk/client-ec2";

const ACCT = "000000000000";

describe("services through the SDK and the aws CLI", () => {
  let w: TestWharf;
  const create = (input: Partial<CreateServiceCommandInput>) =>
    w.ecs.send(new CreateServiceCommand({ cluster: "svc", taskDefinition: "web", desiredCount: 0, serviceName: "x", ...input }));
  const rejects = (p: Promise<unknown>, name: string, message?: string | RegExp) =>
    assert.rejects(p, (e: Error) => {
      assert.equal(e.name, name, e.message);
      if (typeof message === "string") assert.equal(e.message, message);
      else if (message) assert.match(e.message, message);
      return true;
    });

  before(async () => {
    w = await startTestWharf({ server: { serviceController: false } });
    await w.ecs.send(new CreateClusterCommand({ clusterName: "svc" }));
    for (const image of ["nginx:1", "nginx:2"]) {
      await w.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          containerDefinitions: [{ name: "web", image, memory: 64, portMappings: [{ containerPort: 80 }] }],
        }),
      );
    }
    await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "vpc",
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "web", image: "nginx", memory: 64 }],
      }),
    );
  });
  after(async () => w.close());

  it("creates a service with ECS's defaults and one PRIMARY deployment", async () => {
    const { service: s } = await create({ serviceName: "api", desiredCount: 2, tags: [{ key: "team", value: "a" }] });
    assert.equal(s?.serviceArn, `arn:aws:ecs:us-east-1:${ACCT}:service/svc/api`);
    assert.equal(s?.clusterArn, `arn:aws:ecs:us-east-1:${ACCT}:cluster/svc`);
    assert.equal(s?.status, "ACTIVE");
    assert.equal(s?.desiredCount, 2);
    assert.equal(s?.runningCount, 0);
    assert.equal(s?.pendingCount, 0);
    assert.equal(s?.launchType, "EC2");
    assert.equal(s?.schedulingStrategy, "REPLICA");
    assert.equal(s?.taskDefinition, `arn:aws:ecs:us-east-1:${ACCT}:task-definition/web:2`);
    assert.deepEqual(s?.deploymentConfiguration, {
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    assert.deepEqual(s?.deploymentController, { type: "ECS" });
    assert.ok(s?.createdAt instanceof Date);
    assert.deepEqual(s?.tags, [{ key: "team", value: "a" }]);
    assert.equal(s?.deployments?.length, 1);
    const d = s!.deployments![0]!;
    assert.match(d.id!, /^ecs-svc\/\d{19}$/);
    assert.equal(d.status, "PRIMARY");
    assert.equal(d.rolloutState, "IN_PROGRESS");
    assert.equal(d.rolloutStateReason, `ECS deployment ${d.id} in progress.`);
    assert.equal(d.desiredCount, 2);
    assert.equal(d.taskDefinition, s?.taskDefinition);
    const cl = await w.ecs.send(new DescribeClustersCommand({ clusters: ["svc"] }));
    assert.equal(cl.clusters?.[0]?.activeServicesCount, 1);
  });

  it("is idempotent with clientToken and refuses a second create without it", async () => {
    await rejects(create({ serviceName: "api", desiredCount: 2 }), "InvalidParameterException", "Creation of service was not idempotent.");
    const a = await create({ serviceName: "tok", clientToken: "abc-123" });
    const b = await create({ serviceName: "tok", clientToken: "abc-123" });
    assert.equal(b.service?.deployments?.[0]?.id, a.service?.deployments?.[0]?.id);
    await rejects(create({ serviceName: "tok", clientToken: "abc-123", desiredCount: 3 }), "InvalidParameterException");
  });

  it("validates what ECS validates", async () => {
    await rejects(create({ serviceName: "bad name!" }), "InvalidParameterException", /Service name/);
    await rejects(create({ serviceName: "nodef", taskDefinition: "nope:1" }), "ClientException", "TaskDefinition not found.");
    await rejects(create({ serviceName: "nocl", cluster: "nope" }), "ClusterNotFoundException");
    await rejects(create({ serviceName: "neg", desiredCount: -1 }), "InvalidParameterException");
    await rejects(create({ serviceName: "nodc", desiredCount: undefined }), "InvalidParameterException", /desired count/);
    await rejects(create({ serviceName: "dmn", schedulingStrategy: "DAEMON", desiredCount: 1 }), "InvalidParameterException", /daemon/i);
    await rejects(
      create({ serviceName: "both", launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] }),
      "InvalidParameterException",
      "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.",
    );
    await rejects(create({ serviceName: "pct", deploymentConfiguration: { minimumHealthyPercent: 150 } }), "InvalidParameterException", /minimumHealthyPercent/);
    await rejects(create({ serviceName: "pct2", deploymentConfiguration: { maximumPercent: 50 } }), "InvalidParameterException", /maximumPercent/);
    await rejects(
      create({ serviceName: "lb", loadBalancers: [{ targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg/1", containerName: "nope", containerPort: 80 }] }),
      "InvalidParameterException",
      "The container nope does not exist in the task definition.",
    );
    await rejects(
      create({ serviceName: "lb2", loadBalancers: [{ targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/tg/1", containerName: "web", containerPort: 81 }] }),
      "InvalidParameterException",
      "The container web did not have a container port 81 defined.",
    );
    await rejects(create({ serviceName: "sr", serviceRegistries: [{ registryArn: "not-an-arn" }] }), "InvalidParameterException");
    await rejects(
      create({ serviceName: "vpc", taskDefinition: "vpc" }),
      "InvalidParameterException",
      "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
    );
    await rejects(
      create({ serviceName: "net", networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-1"] } } }),
      "InvalidParameterException",
      "Network Configuration is not valid for the given networkMode of this task definition.",
    );
    await rejects(create({ serviceName: "pc", placementConstraints: [{ type: "distinctInstance", expression: "x" }] }), "InvalidParameterException");
    await rejects(create({ serviceName: "ps", placementStrategy: [{ type: "binpack", field: "nope" }] }), "InvalidParameterException");
    // The model's own checks come first: an unknown enum value.
    await rejects(create({ serviceName: "lt", launchType: "MOON" as never }), "InvalidParameterException");
  });

  it("stores load balancers, registries, placement and awsvpc network configuration as given", async () => {
    // ECS checks the target group against ELB: a real one, used by a listener (test/service-lb-validate.test.ts has the refusals).
    const tgLb = await createLoadBalancer(w, "svc-api", { targetType: "instance", port: 80 });
    const lb = { targetGroupArn: tgLb.targetGroupArn, containerName: "web", containerPort: 80 };
    // ECS checks the registry against Cloud Map: bridge tasks register by SRV, with their container and port.
    const reg = { registryArn: (await createRegistry(w, "full", ["SRV"])).arn, containerName: "web", containerPort: 80 };
    const { service } = await create({
      serviceName: "full",
      loadBalancers: [lb],
      serviceRegistries: [reg],
      placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.os-type == linux" }],
      placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }, { type: "binpack", field: "memory" }],
      propagateTags: "SERVICE",
      healthCheckGracePeriodSeconds: 30,
    });
    assert.deepEqual(service?.loadBalancers, [lb]);
    assert.deepEqual(service?.serviceRegistries, [reg]);
    assert.equal(service?.placementStrategy?.length, 2);
    assert.equal(service?.propagateTags, "SERVICE");
    assert.equal(service?.healthCheckGracePeriodSeconds, 30);
    const [subnet] = await defaultSubnetIds(w);
    const { SecurityGroups } = await w.ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }));
    const net = { awsvpcConfiguration: { subnets: [subnet!], securityGroups: [SecurityGroups![0]!.GroupId!], assignPublicIp: "DISABLED" as const } };
    const v = await create({ serviceName: "vpcok", taskDefinition: "vpc", networkConfiguration: net });
    assert.deepEqual(v.service?.networkConfiguration, net);
    assert.deepEqual(v.service?.deployments?.[0]?.networkConfiguration, net);
  });

  it("checks awsvpcConfiguration against the EC2 API at CreateService and UpdateService", async () => {
    const [subnet] = await defaultSubnetIds(w);
    const vpc = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
    const other = (await w.ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.1.1.0/24" }))).Subnet!.SubnetId!;
    const otherGroup = (await w.ec2.send(new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "elsewhere", Description: "x" }))).GroupId!;
    const withNet = (awsvpcConfiguration: { subnets: string[]; securityGroups?: string[] }) =>
      create({ serviceName: `n${Math.random().toString(16).slice(2, 8)}`, taskDefinition: "vpc", networkConfiguration: { awsvpcConfiguration } });
    await rejects(
      withNet({ subnets: ["subnet-0123456789abcdef0"] }),
      "InvalidParameterException",
      "Error retrieving subnet information for [subnet-0123456789abcdef0]: The subnet ID 'subnet-0123456789abcdef0' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    );
    await rejects(
      withNet({ subnets: [subnet!], securityGroups: ["sg-0123456789abcdef0"] }),
      "InvalidParameterException",
      "Error retrieving security group information for [sg-0123456789abcdef0]: The security group 'sg-0123456789abcdef0' does not exist (ErrorCode: InvalidGroup.NotFound)",
    );
    await rejects(withNet({ subnets: [subnet!, other] }), "InvalidParameterException", /same VPC/);
    await rejects(withNet({ subnets: [subnet!], securityGroups: [otherGroup] }), "InvalidParameterException", `Security group ${otherGroup} does not appear to belong to the same VPC as the input subnets.`);
    // The other VPC's own subnet and group together are fine; UpdateService checks the same way.
    const ok = await withNet({ subnets: [other], securityGroups: [otherGroup] });
    await rejects(
      w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: ok.service!.serviceName!, networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-0aaaaaaaaaaaaaaaa"] } } })),
      "InvalidParameterException",
      "Error retrieving subnet information for [subnet-0aaaaaaaaaaaaaaaa]: The subnet ID 'subnet-0aaaaaaaaaaaaaaaa' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    );
  });

  it("describes with TAGS, reports missing ones as failures, allows at most 10", async () => {
    const out = await w.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: ["api", `arn:aws:ecs:us-east-1:${ACCT}:service/svc/tok`, "ghost"], include: ["TAGS"] }));
    assert.deepEqual(out.services?.map((s) => s.serviceName), ["api", "tok"]);
    assert.deepEqual(out.services?.[0]?.tags, [{ key: "team", value: "a" }]);
    assert.deepEqual(out.failures, [{ arn: `arn:aws:ecs:us-east-1:${ACCT}:service/svc/ghost`, reason: "MISSING" }]);
    const noTags = await w.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: ["api"] }));
    assert.equal(noTags.services?.[0]?.tags, undefined);
    await rejects(w.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: Array.from({ length: 11 }, (_, i) => `s${i}`) })), "InvalidParameterException");
  });

  it("lists 10 per page by default, with launchType and schedulingStrategy filters", async () => {
    await w.ecs.send(new CreateClusterCommand({ clusterName: "many" }));
    for (let i = 0; i < 12; i++) await create({ cluster: "many", serviceName: `s${String(i).padStart(2, "0")}` });
    await create({ cluster: "many", serviceName: "daemon", schedulingStrategy: "DAEMON", desiredCount: undefined });
    const p1 = await w.ecs.send(new ListServicesCommand({ cluster: "many" }));
    assert.equal(p1.serviceArns?.length, 10);
    assert.ok(p1.nextToken);
    const p2 = await w.ecs.send(new ListServicesCommand({ cluster: "many", nextToken: p1.nextToken }));
    assert.equal(p2.serviceArns?.length, 3);
    assert.equal(p2.nextToken, undefined);
    const daemons = await w.ecs.send(new ListServicesCommand({ cluster: "many", schedulingStrategy: "DAEMON" }));
    assert.deepEqual(daemons.serviceArns, [`arn:aws:ecs:us-east-1:${ACCT}:service/many/daemon`]);
    const fargate = await w.ecs.send(new ListServicesCommand({ cluster: "many", launchType: "FARGATE" }));
    assert.deepEqual(fargate.serviceArns, []);
    const d = await w.ecs.send(new DescribeServicesCommand({ cluster: "many", services: ["daemon"] }));
    assert.equal(d.services?.[0]?.desiredCount, 0);
    assert.deepEqual(d.services?.[0]?.deploymentConfiguration?.maximumPercent, 100);
    assert.deepEqual(d.services?.[0]?.deploymentConfiguration?.minimumHealthyPercent, 0);
    const cli = await w.aws("ecs", "list-services", "--cluster", "many");
    assert.equal(cli.serviceArns.length, 13, "the CLI pages through every page");
  });

  it("updates in place for desiredCount, and starts a new PRIMARY deployment for a revision or forceNewDeployment", async () => {
    const before = (await w.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: ["api"] }))).services![0]!;
    const scaled = await w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: "api", desiredCount: 3 }));
    assert.equal(scaled.service?.desiredCount, 3);
    assert.equal(scaled.service?.deployments?.length, 1);
    assert.equal(scaled.service?.deployments?.[0]?.id, before.deployments![0]!.id);
    assert.equal(scaled.service?.deployments?.[0]?.desiredCount, 3);
    const rev = await w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: "api", taskDefinition: "web:1", deploymentConfiguration: { minimumHealthyPercent: 50 } }));
    assert.equal(rev.service?.deployments?.length, 2);
    assert.equal(rev.service?.deployments?.[0]?.status, "PRIMARY");
    assert.match(rev.service!.deployments![0]!.taskDefinition!, /web:1$/);
    assert.equal(rev.service?.deployments?.[1]?.status, "ACTIVE");
    assert.equal(rev.service?.deployments?.[1]?.id, before.deployments![0]!.id);
    assert.equal(rev.service?.deploymentConfiguration?.minimumHealthyPercent, 50);
    assert.equal(rev.service?.deploymentConfiguration?.maximumPercent, 200);
    const forced = await w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: "api", forceNewDeployment: true }));
    assert.equal(forced.service?.deployments?.length, 3);
    await rejects(w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: "ghost", desiredCount: 1 })), "ServiceNotFoundException", "Service not found.");
    await rejects(w.ecs.send(new UpdateServiceCommand({ cluster: "many", service: "daemon", desiredCount: 1 })), "InvalidParameterException");
  });

  it("answers ListServiceDeployments / DescribeServiceDeployments", async () => {
    const list = await w.ecs.send(new ListServiceDeploymentsCommand({ cluster: "svc", service: "api" }));
    const items = list.serviceDeployments ?? [];
    assert.equal(items.length, 3);
    assert.equal(items[0]?.status, "IN_PROGRESS", "newest first");
    assert.deepEqual(items.slice(1).map((d) => d.status), ["STOPPED", "STOPPED"]);
    assert.match(items[0]!.serviceDeploymentArn!, new RegExp(`^arn:aws:ecs:us-east-1:${ACCT}:service-deployment/svc/api/\\d{19}$`));
    const onlyStopped = await w.ecs.send(new ListServiceDeploymentsCommand({ cluster: "svc", service: "api", status: ["STOPPED"] }));
    assert.equal(onlyStopped.serviceDeployments?.length, 2);
    const paged = await w.ecs.send(new ListServiceDeploymentsCommand({ cluster: "svc", service: "api", maxResults: 2 }));
    assert.equal(paged.serviceDeployments?.length, 2);
    const rest = await w.ecs.send(new ListServiceDeploymentsCommand({ cluster: "svc", service: "api", maxResults: 2, nextToken: paged.nextToken }));
    assert.equal(rest.serviceDeployments?.length, 1);
    assert.equal(rest.nextToken, undefined);
    const missing = items[0]!.serviceDeploymentArn!.replace(/\d{19}$/, "1234567890123456789");
    const desc = await w.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [items[1]!.serviceDeploymentArn!, missing] }));
    const sd = desc.serviceDeployments![0]!;
    assert.equal(sd.serviceArn, `arn:aws:ecs:us-east-1:${ACCT}:service/svc/api`);
    assert.equal(sd.targetServiceRevision?.arn, items[1]!.targetServiceRevisionArn);
    assert.match(sd.targetServiceRevision!.arn!, /service-revision\/svc\/api\/\d{19}$/);
    assert.equal(sd.sourceServiceRevisions?.length, 1);
    assert.equal(sd.deploymentConfiguration?.minimumHealthyPercent, 50);
    assert.deepEqual(desc.failures, [{ arn: missing, reason: "MISSING" }]);
    await rejects(w.ecs.send(new ListServiceDeploymentsCommand({ cluster: "svc", service: "ghost" })), "ServiceNotFoundException");
  });

  it("refuses to delete a scaled-up service without force; with force it drains to INACTIVE", async () => {
    await rejects(
      w.ecs.send(new DeleteServiceCommand({ cluster: "svc", service: "api" })),
      "InvalidParameterException",
      "The service cannot be stopped while it is scaled above 0.",
    );
    const del = await w.ecs.send(new DeleteServiceCommand({ cluster: "svc", service: "api", force: true }));
    assert.equal(del.service?.status, "DRAINING");
    assert.equal(del.service?.desiredCount, 0);
    const d = await w.ecs.send(new DescribeServicesCommand({ cluster: "svc", services: ["api"] }));
    assert.equal(d.services?.[0]?.status, "INACTIVE", "no task to stop: INACTIVE at once");
    const list = await w.ecs.send(new ListServicesCommand({ cluster: "svc" }));
    assert.ok(!list.serviceArns?.some((a) => a.endsWith("/api")));
    await rejects(w.ecs.send(new UpdateServiceCommand({ cluster: "svc", service: "api", desiredCount: 1 })), "ServiceNotActiveException", "Service was not ACTIVE.");
    await rejects(w.ecs.send(new DeleteServiceCommand({ cluster: "svc", service: "api" })), "ServiceNotActiveException");
    const again = await create({ serviceName: "api" });
    assert.equal(again.service?.status, "ACTIVE");
    const zero = await w.ecs.send(new DeleteServiceCommand({ cluster: "svc", service: "tok" }));
    assert.equal(zero.service?.status, "DRAINING", "desiredCount 0 needs no force");
  });

  it("ListServicesByNamespace lists Service Connect services of that namespace; enabling Service Connect is refused (not built)", async () => {
    const refused = await create({ serviceName: "sc-on", serviceConnectConfiguration: { enabled: true, namespace: "shop" } }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.equal(refused?.name, "UnsupportedFeatureException");
    assert.match(refused!.message, /Service Connect is not implemented by Wharf yet/);
    await create({ serviceName: "sc", serviceConnectConfiguration: { enabled: false, namespace: "shop" } });
    const out = await w.ecs.send(new ListServicesByNamespaceCommand({ namespace: "shop" }));
    assert.deepEqual(out.serviceArns, [`arn:aws:ecs:us-east-1:${ACCT}:service/svc/sc`]);
    const none = await w.ecs.send(new ListServicesByNamespaceCommand({ namespace: "other" }));
    assert.deepEqual(none.serviceArns, []);
  });

  it("creates the seed's python-service.json through the aws CLI", async () => {
    await w.aws("ecs", "create-cluster", "--cluster-name", "ecs-sarathy-cluster");
    await w.aws(
      "ecs", "register-task-definition", "--family", "PythonTask", "--container-definitions",
      JSON.stringify([{ name: "python-service", image: "python:3-alpine", memory: 128, portMappings: [{ containerPort: 5000 }] }]),
    );
    // As given, its target group ARN is a placeholder: ECS (and Wharf) refuse a group that does not exist.
    const asGiven = await w.awsError("ecs", "create-service", "--cli-input-json", `file://${exampleFile("python-service.json")}`);
    assert.equal(asGiven.code, "InvalidParameterException");
    assert.match(asGiven.stderr, /The target group with targetGroupArn arn:aws:elasticloadbalancing:us-east-1:937351930975:targetgroup\/XXX does not exist\./);
    // Its ARN replaced by a target group just made (bridge tasks: an instance target group).
    const python = await createLoadBalancer(w, "python", { targetType: "instance", port: 5000 });
    const input = JSON.parse(readFileSync(exampleFile("python-service.json"), "utf8"));
    input.loadBalancers[0].targetGroupArn = python.targetGroupArn;
    // Its registry too: a Cloud Map service; bridge tasks register by SRV, naming their container and port.
    const registry = await createRegistry(w, "python", ["SRV"]);
    input.serviceRegistries[0] = { registryArn: registry.arn, containerName: "python-service", containerPort: 5000 };
    const file = join(w.dataDir, "python-service.json");
    writeFileSync(file, JSON.stringify(input));
    const out = await w.aws("ecs", "create-service", "--cli-input-json", `file://${file}`);
    assert.equal(out.service.loadBalancers[0].targetGroupArn, python.targetGroupArn);
    assert.equal(out.service.serviceName, "PythonService");
    assert.equal(out.service.desiredCount, 5);
    assert.equal(out.service.loadBalancers[0].containerPort, 5000);
    assert.equal(out.service.serviceRegistries[0].registryArn, registry.arn);
    assert.equal(out.service.deployments[0].status, "PRIMARY");
    assert.equal(typeof out.service.createdAt, "number", "epoch seconds on the wire");
    const desc = await w.aws("ecs", "describe-services", "--cluster", "ecs-sarathy-cluster", "--services", "PythonService");
    assert.equal(desc.services[0].taskDefinition, `arn:aws:ecs:us-east-1:${ACCT}:task-definition/PythonTask:1`);
    const err = await w.awsError("ecs", "delete-service", "--cluster", "ecs-sarathy-cluster", "--service", "PythonService");
    assert.equal(err.code, "InvalidParameterException");
    const gone = await w.aws("ecs", "delete-service", "--cluster", "ecs-sarathy-cluster", "--service", "PythonService", "--force");
    assert.equal(gone.service.status, "DRAINING");
    await w.aws("ecs", "wait", "services-inactive", "--cluster", "ecs-sarathy-cluster", "--services", "PythonService");
  });
});
