import { CloudWatchLogsClient, CreateLogGroupCommand, DescribeLogGroupsCommand, PutRetentionPolicyCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateVpcCommand, DeleteVpcCommand, DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, ECSClient, ListClustersCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateTargetGroupCommand, DeleteTargetGroupCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { loadPolicy, type RequestPrincipal } from "../src/core/iam/index.js";
import { EXPLAIN_PATH } from "../src/contracts/internal-routes.js";
import { signSigV4 } from "../src/edge/sigv4.js";
import type { Caller, IdentityResolver } from "../src/edge/identity.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const run = promisify(execFile);

/** Credentials as an SDK client takes them. */
interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The principals of this test, made by hand as Callers served through
 * `ServerOptions.extraIdentities`. When the IAM API serves users and STS sessions, `user()` and
 * `session()` become CreateUser + PutUserPolicy + CreateAccessKey and AssumeRole; the
 * assertions stay as they are.
 */
class TestIdentities implements IdentityResolver {
  private readonly byKey = new Map<string, Caller>();
  accountId = "";
  resolve(id: string): Caller | undefined {
    return this.byKey.get(id);
  }
  private add(principal: RequestPrincipal, policy: object, more: Partial<Caller> = {}): Creds {
    const accessKeyId = `${more.sessionToken ? "ASIA" : "AKIA"}${randomBytes(8).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(20).toString("base64");
    const doc = loadPolicy(JSON.stringify(policy), "identity", `${principal.arn}/inline`);
    this.byKey.set(accessKeyId, { accessKeyId, secretAccessKey, principal, policies: { identity: [doc] }, ...more });
    return { accessKeyId, secretAccessKey, ...(more.sessionToken ? { sessionToken: more.sessionToken } : {}) };
  }
  user(name: string, policy: object): Creds {
    const a = this.accountId;
    return this.add({ kind: "User", arn: `arn:aws:iam::${a}:user/${name}`, account: a, userId: `AIDA${name.toUpperCase()}` }, policy);
  }
  session(role: string, name: string, policy: object, expiresAt: number): Creds {
    const a = this.accountId;
    const principal: RequestPrincipal = {
      kind: "AssumedRole",
      arn: `arn:aws:sts::${a}:assumed-role/${role}/${name}`,
      roleArn: `arn:aws:iam::${a}:role/${role}`,
      account: a,
      userId: `AROA${role.toUpperCase()}:${name}`,
    };
    return this.add(principal, policy, { sessionToken: randomBytes(24).toString("base64"), expiresAt });
  }
}

const policy = (...Statement: object[]) => ({ Version: "2012-10-17", Statement });
const LIST_CLUSTERS_ONLY = policy({ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*" });

/** `Name: message` of a failed call ("(no error)" when it succeeds). */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => "(no error)",
    (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
  );

/**
 * Authorization at the edge as a user meets it: principals that are not the root are evaluated
 * on every call of every API — the real SDK clients of ECS, Logs, EC2 and ELBv2 and the `aws`
 * CLI, denied in each service's own code and words.
 */
describe("authorization at the edge (SDK and aws CLI)", () => {
  let h: TestWharf;
  const ids = new TestIdentities();
  let account = "";
  const region = "us-east-1";
  const clients = (c: Creds) => {
    const o = { endpoint: h.server.url, region, credentials: c, maxAttempts: 1 };
    return { ecs: new ECSClient(o), logs: new CloudWatchLogsClient(o), ec2: new EC2Client(o), elb: new ElasticLoadBalancingV2Client(o) };
  };

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, extraIdentities: ids } });
    account = ids.accountId = h.server.accountId;
  });
  after(async () => {
    await h?.close();
  });

  it("a user allowed ecs:ListClusters only lists clusters and is denied CreateCluster with ECS's message", async () => {
    const { ecs } = clients(ids.user("lister", LIST_CLUSTERS_ONLY));
    await h.ecs.send(new CreateClusterCommand({ clusterName: "seen" }));
    const listed = await ecs.send(new ListClustersCommand({}));
    assert.ok(listed.clusterArns?.includes(`arn:aws:ecs:${region}:${account}:cluster/seen`));
    assert.equal(
      await failure(ecs.send(new CreateClusterCommand({ clusterName: "x" }))),
      `AccessDeniedException: User: arn:aws:iam::${account}:user/lister is not authorized to perform: ecs:CreateCluster on resource: ` +
        `arn:aws:ecs:${region}:${account}:cluster/x because no identity-based policy allows the ecs:CreateCluster action`,
    );
    // The root is still allowed everything.
    await h.ecs.send(new CreateClusterCommand({ clusterName: "x" }));
  });

  it("the aws CLI shows the same denial", async () => {
    const c = ids.user("cli", LIST_CLUSTERS_ONLY);
    const env = { ...h.awsEnv, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey };
    const listed = await run("aws", ["ecs", "list-clusters", "--output", "json"], { env });
    assert.ok(JSON.parse(listed.stdout).clusterArns);
    const err = await run("aws", ["ecs", "create-cluster", "--cluster-name", "y"], { env }).then(
      () => "",
      (e: { stderr?: string }) => String(e.stderr ?? ""),
    );
    assert.match(
      err,
      new RegExp(
        `An error occurred \\(AccessDeniedException\\) when calling the CreateCluster operation: User: arn:aws:iam::${account}:user/cli ` +
          `is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:${region}:${account}:cluster/y because no identity-based policy allows the ecs:CreateCluster action`,
      ),
    );
  });

  it("EC2, ELBv2 and Logs deny in their own shapes", async () => {
    const { ec2, elb, logs } = clients(ids.user("narrow", LIST_CLUSTERS_ONLY));
    const who = `User: arn:aws:iam::${account}:user/narrow is not authorized to perform:`;
    assert.equal(
      await failure(ec2.send(new DescribeVpcsCommand({}))),
      `UnauthorizedOperation: You are not authorized to perform this operation. ${who} ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`,
    );
    const create = await failure(ec2.send(new CreateVpcCommand({ CidrBlock: "10.9.0.0/16" })));
    assert.match(
      create,
      new RegExp(`^UnauthorizedOperation: You are not authorized to perform this operation\\. ${who} ec2:CreateVpc on resource: arn:aws:ec2:${region}:${account}:vpc/\\* because no identity-based policy allows the ec2:CreateVpc action\\. Encoded authorization failure message: \\S+$`),
    );
    assert.equal(
      await failure(elb.send(new DescribeLoadBalancersCommand({}))),
      `AccessDenied: ${who} elasticloadbalancing:DescribeLoadBalancers because no identity-based policy allows the elasticloadbalancing:DescribeLoadBalancers action`,
    );
    assert.equal(
      await failure(logs.send(new CreateLogGroupCommand({ logGroupName: "/app" }))),
      `AccessDeniedException: ${who} logs:CreateLogGroup on resource: arn:aws:logs:${region}:${account}:log-group:/app:log-stream: because no identity-based policy allows the logs:CreateLogGroup action`,
    );
    // Nothing was created behind the denials.
    const vpcs = await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "cidr-block", Values: ["10.9.0.0/16"] }] }));
    assert.equal(vpcs.Vpcs?.length, 0);
  });

  it("a Deny statement wins over an Allow", async () => {
    const { ecs, logs } = clients(
      ids.user(
        "denied",
        policy(
          { Effect: "Allow", Action: ["ecs:*", "logs:*"], Resource: "*" },
          { Effect: "Deny", Action: "ecs:CreateCluster", Resource: `arn:aws:ecs:*:*:cluster/prod-*` },
        ),
      ),
    );
    await ecs.send(new CreateClusterCommand({ clusterName: "dev-1" }));
    assert.equal(
      await failure(ecs.send(new CreateClusterCommand({ clusterName: "prod-1" }))),
      `AccessDeniedException: User: arn:aws:iam::${account}:user/denied is not authorized to perform: ecs:CreateCluster on resource: ` +
        `arn:aws:ecs:${region}:${account}:cluster/prod-1 with an explicit deny in an identity-based policy`,
    );
    await logs.send(new DescribeLogGroupsCommand({}));
  });

  it("conditions read the request: aws:SourceIp is the peer's address", async () => {
    const allowFrom = (cidr: string) => policy({ Effect: "Allow", Action: "ecs:ListClusters", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": cidr } } });
    const near = clients(ids.user("near", allowFrom("127.0.0.0/8"))).ecs;
    const far = clients(ids.user("far", allowFrom("203.0.113.0/24"))).ecs;
    await near.send(new ListClustersCommand({}));
    assert.match(await failure(far.send(new ListClustersCommand({}))), /^AccessDeniedException: .*ecs:ListClusters on resource: \*/);
  });

  it("aws:ResourceTag reads the resource's stored tags (Logs groups)", async () => {
    const root = clients(h.server.credentials).logs;
    await root.send(new CreateLogGroupCommand({ logGroupName: "/core", tags: { team: "core" } }));
    await root.send(new CreateLogGroupCommand({ logGroupName: "/web", tags: { team: "web" } }));
    const { logs } = clients(
      ids.user("core", policy({ Effect: "Allow", Action: "logs:PutRetentionPolicy", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/team": "core" } } })),
    );
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/core", retentionInDays: 7 }));
    assert.match(
      await failure(logs.send(new PutRetentionPolicyCommand({ logGroupName: "/web", retentionInDays: 7 }))),
      new RegExp(`^AccessDeniedException: .* logs:PutRetentionPolicy on resource: arn:aws:logs:${region}:${account}:log-group:/web:log-stream: because`),
    );
  });

  it("aws:ResourceTag reads EC2's stored tags", async () => {
    const vpc = async (env: string) =>
      (await h.ec2.send(new CreateVpcCommand({ CidrBlock: "10.31.0.0/16", TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "env", Value: env }] }] }))).Vpc!.VpcId!;
    const dev = await vpc("dev");
    const prod = await vpc("prod");
    const { ec2 } = clients(ids.user("ec2dev", policy({ Effect: "Allow", Action: "ec2:DeleteVpc", Resource: "*", Condition: { StringEquals: { "ec2:ResourceTag/env": "dev" } } })));
    await ec2.send(new DeleteVpcCommand({ VpcId: dev }));
    assert.match(
      await failure(ec2.send(new DeleteVpcCommand({ VpcId: prod }))),
      new RegExp(`^UnauthorizedOperation: You are not authorized to perform this operation\\. User: arn:aws:iam::${account}:user/ec2dev is not authorized to perform: ec2:DeleteVpc on resource: arn:aws:ec2:${region}:${account}:vpc/${prod} because`),
    );
    await h.ec2.send(new DeleteVpcCommand({ VpcId: prod }));
  });

  it("aws:ResourceTag and elasticloadbalancing:ResourceTag read ELBv2's stored tags", async () => {
    const root = new ElasticLoadBalancingV2Client({ endpoint: h.server.url, region, credentials: h.server.credentials, maxAttempts: 1 });
    const vpcId = (await h.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs![0]!.VpcId!;
    const tg = async (name: string, env: string) =>
      (await root.send(new CreateTargetGroupCommand({ Name: name, Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "ip", Tags: [{ Key: "env", Value: env }] }))).TargetGroups![0]!.TargetGroupArn!;
    try {
      const dev = await tg("tg-dev", "dev");
      const prod = await tg("tg-prod", "prod");
      for (const key of ["aws:ResourceTag/env", "elasticloadbalancing:ResourceTag/env"]) {
        const { elb } = clients(ids.user(`elbdev-${key.split(":")[0]}`, policy({ Effect: "Allow", Action: "elasticloadbalancing:DeleteTargetGroup", Resource: "*", Condition: { StringEquals: { [key]: "dev" } } })));
        assert.equal(
          await failure(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: prod }))),
          `AccessDenied: User: arn:aws:iam::${account}:user/elbdev-${key.split(":")[0]} is not authorized to perform: elasticloadbalancing:DeleteTargetGroup on resource: ${prod} because no identity-based policy allows the elasticloadbalancing:DeleteTargetGroup action`,
        );
      }
      const { elb } = clients(ids.user("elbdev", policy({ Effect: "Allow", Action: "elasticloadbalancing:DeleteTargetGroup", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/env": "dev" } } })));
      await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: dev }));
      await root.send(new DeleteTargetGroupCommand({ TargetGroupArn: prod }));
    } finally {
      root.destroy();
    }
  });

  it("RegisterTaskDefinition and RunTask with a task role need iam:PassRole on it", async () => {
    const role = `arn:aws:iam::${account}:role/app`;
    const td = { family: "pass", taskRoleArn: role, containerDefinitions: [{ name: "c", image: "busybox", memory: 64 }] };
    const without = clients(ids.user("nopass", policy({ Effect: "Allow", Action: "ecs:RegisterTaskDefinition", Resource: "*" }))).ecs;
    assert.equal(
      await failure(without.send(new RegisterTaskDefinitionCommand(td))),
      `AccessDeniedException: User: arn:aws:iam::${account}:user/nopass is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
    );
    const withPass = clients(
      ids.user(
        "pass",
        policy(
          { Effect: "Allow", Action: "ecs:RegisterTaskDefinition", Resource: "*" },
          { Effect: "Allow", Action: "iam:PassRole", Resource: role, Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } } },
        ),
      ),
    ).ecs;
    const out = await withPass.send(new RegisterTaskDefinitionCommand(td));
    assert.equal(out.taskDefinition?.taskRoleArn, role);
    assert.equal(out.taskDefinition?.registeredBy, `arn:aws:iam::${account}:user/pass`);

    // RunTask passes the definition's role again (ECS checks it on every launch).
    const runner = clients(ids.user("runner", policy({ Effect: "Allow", Action: "ecs:RunTask", Resource: `arn:aws:ecs:${region}:${account}:task-definition/pass:*` }))).ecs;
    assert.equal(
      await failure(runner.send(new RunTaskCommand({ taskDefinition: "pass" }))),
      `AccessDeniedException: User: arn:aws:iam::${account}:user/runner is not authorized to perform: iam:PassRole on resource: ${role} because no identity-based policy allows the iam:PassRole action`,
    );
    assert.match(
      await failure(runner.send(new RunTaskCommand({ taskDefinition: "other" }))),
      new RegExp(`ecs:RunTask on resource: arn:aws:ecs:${region}:${account}:task-definition/other:\\* because`),
    );
  });

  it("Wharf's own /_wharf/ routes take the root keys only", async () => {
    const c = ids.user("admin", policy({ Effect: "Allow", Action: "*", Resource: "*" }));
    const post = async (k: Creds) => {
      const body = JSON.stringify({ taskDefinition: "nothing" });
      const url = new URL(EXPLAIN_PATH, h.server.url);
      const headers = signSigV4({ method: "POST", url: EXPLAIN_PATH, host: url.host, headers: { "content-type": "application/json" }, body, ...k, region, service: "ecs" });
      const res = await fetch(url, { method: "POST", headers, body });
      return { status: res.status, body: (await res.json()) as { __type?: string } };
    };
    const refused = await post(c);
    assert.equal(refused.body.__type, "UnrecognizedClientException");
    assert.notEqual((await post(h.server.credentials)).body.__type, "UnrecognizedClientException");
  });

  it("a role session works with its token, fails with a wrong, missing or expired one", async () => {
    const good = ids.session("app", "s1", LIST_CLUSTERS_ONLY, Date.now() + 3_600_000);
    const { ecs } = clients(good);
    await ecs.send(new ListClustersCommand({}));
    assert.match(await failure(ecs.send(new CreateClusterCommand({ clusterName: "z" }))), new RegExp(`User: arn:aws:sts::${account}:assumed-role/app/s1 is not authorized`));
    const invalid = "UnrecognizedClientException: The security token included in the request is invalid.";
    assert.equal(await failure(clients({ ...good, sessionToken: "wrong" }).ecs.send(new ListClustersCommand({}))), invalid);
    assert.equal(await failure(clients({ accessKeyId: good.accessKeyId, secretAccessKey: good.secretAccessKey }).ecs.send(new ListClustersCommand({}))), invalid);
    const wrong = clients({ ...good, sessionToken: "wrong" });
    assert.equal(await failure(wrong.ec2.send(new DescribeVpcsCommand({}))), "AuthFailure: AWS was not able to validate the provided access credentials");
    assert.equal(await failure(wrong.elb.send(new DescribeLoadBalancersCommand({}))), "InvalidClientTokenId: The security token included in the request is invalid.");

    const old = clients(ids.session("app", "s2", LIST_CLUSTERS_ONLY, Date.now() - 1000));
    assert.equal(await failure(old.ecs.send(new ListClustersCommand({}))), "ExpiredTokenException: The security token included in the request is expired");
    assert.equal(await failure(old.ec2.send(new DescribeVpcsCommand({}))), "RequestExpired: Request has expired.");
    assert.equal(await failure(old.elb.send(new DescribeLoadBalancersCommand({}))), "ExpiredToken: The security token included in the request is expired");
  });
});
