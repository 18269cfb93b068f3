import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ec2Operations, ec2Service } from "../../src/api/ec2/index.js";
import { ecsOperations, ecsService } from "../../src/api/ecs/index.js";
import { elbv2Operations, elbv2Service } from "../../src/api/elbv2/index.js";
import { logsOperations, logsService } from "../../src/api/logs/index.js";
import { AwsError } from "../../src/core/errors.js";
import { decodeAuthorizationMessage, type PolicySet, type RequestPrincipal } from "../../src/core/iam/index.js";
import { authorize, type CallToAuthorize } from "../../src/edge/authorize.js";
import { type Caller, type RoleDirectory, rootCaller } from "../../src/edge/identity.js";
import type { Service } from "../../src/edge/service.js";
import { A, allow, deny, pol } from "./iam-cases.js";

/**
 * The authorizer's decision with hand-built callers and the real authorization tables of ECS,
 * Logs, EC2 and ELBv2.
 */
const P = { region: "us-east-1", accountId: A };
const NOW = Date.parse("2026-12-03T12:00:00Z");
const ALICE: RequestPrincipal = { kind: "User", arn: `arn:aws:iam::${A}:user/alice`, account: A, userId: "AIDAALICE" };

// The real services (their protocol and authorization table are what count here), over a
// store with nothing in it: RunTask's task definition is named as given.
const emptyDeps = { store: { get: async () => undefined, list: async () => [] } } as never;
const ECS: Service = ecsService(emptyDeps);
const LOGS: Service = logsService(emptyDeps);
const EC2: Service = ec2Service(emptyDeps);
const ELB: Service = elbv2Service(emptyDeps);

const user = (policies: PolicySet, more: Partial<Caller> = {}): Caller => ({ accessKeyId: "AKIAALICE", secretAccessKey: "s", principal: ALICE, policies, ...more });
const only = (...statements: Record<string, unknown>[]): PolicySet => ({ identity: [pol(statements)] });

async function outcome(call: Partial<CallToAuthorize> & Pick<CallToAuthorize, "caller" | "service" | "operation">): Promise<AwsError | "allowed"> {
  try {
    await authorize({ input: {}, principal: P, now: NOW, ...call });
    return "allowed";
  } catch (e) {
    if (e instanceof AwsError) return e;
    throw e;
  }
}
const denied = async (call: Parameters<typeof outcome>[0]): Promise<AwsError> => {
  const r = await outcome(call);
  assert.notEqual(r, "allowed", "expected a denial");
  return r as AwsError;
};

describe("authorization tables", () => {
  it("every operation Wharf serves has its entry, named SERVICE:Operation", () => {
    for (const [svc, served] of [
      [ECS, Object.keys(ecsOperations)],
      [LOGS, Object.keys(logsOperations)],
      [EC2, Object.keys(ec2Operations)],
      [ELB, Object.keys(elbv2Operations)],
    ] as const) {
      assert.deepEqual(Object.keys(svc.authorization ?? {}).sort(), [...served].sort(), svc.signingName);
      for (const [op, a] of Object.entries(svc.authorization!)) assert.equal(a.action, `${svc.signingName}:${op}`);
    }
  });
});

describe("authorizer", () => {
  it("the root is never evaluated", async () => {
    const root = rootCaller("AKIAROOT", "s", `arn:aws:iam::${A}:root`, A);
    assert.equal(await outcome({ caller: root, service: ECS, operation: "CreateCluster", input: { clusterName: "x" } }), "allowed");
  });

  it("a user allowed ecs:ListClusters only: ListClusters passes, CreateCluster is denied in ECS's words", async () => {
    const alice = user(only(allow("ecs:ListClusters")));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "ListClusters" }), "allowed");
    const e = await denied({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "x" } });
    assert.equal(e.code, "AccessDeniedException");
    assert.equal(e.status, 400);
    assert.equal(
      e.message,
      `User: arn:aws:iam::${A}:user/alice is not authorized to perform: ecs:CreateCluster on resource: arn:aws:ecs:us-east-1:${A}:cluster/x because no identity-based policy allows the ecs:CreateCluster action`,
    );
  });

  it("ECS names `on resource: *` for actions without resource-level permissions", async () => {
    const e = await denied({ caller: user({}), service: ECS, operation: "ListClusters" });
    assert.match(e.message, /perform: ecs:ListClusters on resource: \* because no identity-based policy allows the ecs:ListClusters action$/);
  });

  it("an explicit Deny wins over an Allow, and says so", async () => {
    const alice = user(only(allow("ecs:*"), deny("ecs:CreateCluster", `arn:aws:ecs:*:*:cluster/prod-*`)));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "dev-1" } }), "allowed");
    const e = await denied({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "prod-1" } });
    assert.match(e.message, /on resource: arn:aws:ecs:us-east-1:\d+:cluster\/prod-1 with an explicit deny in an identity-based policy$/);
  });

  it("RunTask authorizes on the task definition with ecs:cluster in the context", async () => {
    const alice = user(only(allow("ecs:RunTask", `arn:aws:ecs:us-east-1:${A}:task-definition/web:*`, { Condition: { ArnEquals: { "ecs:cluster": `arn:aws:ecs:us-east-1:${A}:cluster/prod` } } })));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "RunTask", input: { cluster: "prod", taskDefinition: "web:3" } }), "allowed");
    const e = await denied({ caller: alice, service: ECS, operation: "RunTask", input: { cluster: "dev", taskDefinition: "web:3" } });
    assert.match(e.message, new RegExp(`ecs:RunTask on resource: arn:aws:ecs:us-east-1:${A}:task-definition/web:3 because`));
    await denied({ caller: alice, service: ECS, operation: "RunTask", input: { cluster: "prod", taskDefinition: "api:1" } });
  });

  it("DescribeServices authorizes on each service ARN in the cluster", async () => {
    const alice = user(only(allow("ecs:DescribeServices", `arn:aws:ecs:us-east-1:${A}:service/prod/*`)));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "DescribeServices", input: { cluster: "prod", services: ["a", "b"] } }), "allowed");
    const e = await denied({ caller: alice, service: ECS, operation: "DescribeServices", input: { cluster: "prod", services: ["a", `arn:aws:ecs:us-east-1:${A}:service/dev/b`] } });
    assert.match(e.message, /service\/dev\/b because/);
  });

  it("aws:RequestTag and aws:TagKeys come from the request's tags", async () => {
    const alice = user(only(allow("ecs:CreateCluster", "*", { Condition: { StringEquals: { "aws:RequestTag/team": "core" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } } })));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "c", tags: [{ key: "team", value: "core" }] } }), "allowed");
    await denied({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "c", tags: [{ key: "team", value: "web" }] } });
    await denied({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "c", tags: [{ key: "team", value: "core" }, { key: "x", value: "y" }] } });
    await denied({ caller: alice, service: ECS, operation: "CreateCluster", input: { clusterName: "c" } });
  });

  it("aws:ResourceTag/… and ecs:ResourceTag/… come from the resource's stored tags", async () => {
    const arn = (n: string) => `arn:aws:ecs:us-east-1:${A}:cluster/${n}`;
    const stored: Record<string, { key: string; value: string }[]> = { [arn("dev")]: [{ key: "env", value: "dev" }], [arn("prod")]: [{ key: "env", value: "prod" }] };
    const deps = { store: { get: async (kind: string, id: string) => (kind === "tags" && stored[id] ? { value: stored[id] } : undefined), list: async () => [] } } as never;
    const ecs = ecsService(deps);
    for (const key of ["aws:ResourceTag/env", "ecs:ResourceTag/env"]) {
      const alice = user(only(allow("ecs:DeleteCluster", "*", { Condition: { StringEquals: { [key]: "dev" } } })));
      assert.equal(await outcome({ caller: alice, service: ecs, operation: "DeleteCluster", input: { cluster: "dev" } }), "allowed", key);
      await denied({ caller: alice, service: ecs, operation: "DeleteCluster", input: { cluster: "prod" } });
      await denied({ caller: alice, service: ecs, operation: "DeleteCluster", input: { cluster: "untagged" } });
    }
  });

  it("aws:SourceIp, aws:SecureTransport and aws:CurrentTime are in the context", async () => {
    const ip = user(only(allow("ecs:ListClusters", "*", { Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } })));
    assert.equal(await outcome({ caller: ip, service: ECS, operation: "ListClusters", sourceIp: "10.1.2.3" }), "allowed");
    await denied({ caller: ip, service: ECS, operation: "ListClusters", sourceIp: "127.0.0.1" });
    const tls = user(only(allow("*"), deny("*", "*", { Condition: { Bool: { "aws:SecureTransport": "false" } } })));
    await denied({ caller: tls, service: ECS, operation: "ListClusters" });
    const before = user(only(allow("*", "*", { Condition: { DateLessThan: { "aws:CurrentTime": "2026-12-03T11:00:00Z" } } })));
    await denied({ caller: before, service: ECS, operation: "ListClusters" });
    assert.equal(await outcome({ caller: before, service: ECS, operation: "ListClusters", now: Date.parse("2026-12-03T10:00:00Z") }), "allowed");
  });

  it("Logs: PutLogEvents on the stream ARN, CreateLogGroup on the group with the empty stream", async () => {
    const alice = user(only(allow("logs:PutLogEvents", `arn:aws:logs:us-east-1:${A}:log-group:/app:*`)));
    assert.equal(await outcome({ caller: alice, service: LOGS, operation: "PutLogEvents", input: { logGroupName: "/app", logStreamName: "s1" } }), "allowed");
    const e = await denied({ caller: alice, service: LOGS, operation: "CreateLogGroup", input: { logGroupName: "/app" } });
    assert.equal(e.code, "AccessDeniedException");
    assert.equal(
      e.message,
      `User: arn:aws:iam::${A}:user/alice is not authorized to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:${A}:log-group:/app:log-stream: because no identity-based policy allows the logs:CreateLogGroup action`,
    );
    const s = await denied({ caller: alice, service: LOGS, operation: "PutLogEvents", input: { logGroupName: "/other", logStreamName: "s1" } });
    assert.match(s.message, /on resource: arn:aws:logs:us-east-1:\d+:log-group:\/other:log-stream:s1 because/);
  });

  it("EC2: UnauthorizedOperation (403), an encoded message for resource-level actions only", async () => {
    const e = await denied({ caller: user({}), service: EC2, operation: "CreateVpc", input: { CidrBlock: "10.0.0.0/16" } });
    assert.equal(e.code, "UnauthorizedOperation");
    assert.equal(e.status, 403);
    const m = /^You are not authorized to perform this operation\. User: arn:aws:iam::\d+:user\/alice is not authorized to perform: ec2:CreateVpc on resource: arn:aws:ec2:us-east-1:\d+:vpc\/\* because no identity-based policy allows the ec2:CreateVpc action\. Encoded authorization failure message: (\S+)$/.exec(e.message);
    assert.ok(m, e.message);
    const decoded = JSON.parse(decodeAuthorizationMessage(m[1]!)!);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.context.action, "ec2:CreateVpc");
    const d = await denied({ caller: user({}), service: EC2, operation: "DescribeVpcs" });
    assert.equal(d.message, `You are not authorized to perform this operation. User: arn:aws:iam::${A}:user/alice is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`);
  });

  it("EC2: aws:RequestTag from TagSpecifications", async () => {
    const alice = user(only(allow("ec2:CreateVpc", "*", { Condition: { StringEquals: { "aws:RequestTag/env": "dev" } } })));
    const tagged = (v: string) => ({ TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "env", Value: v }] }] });
    assert.equal(await outcome({ caller: alice, service: EC2, operation: "CreateVpc", input: tagged("dev") }), "allowed");
    await denied({ caller: alice, service: EC2, operation: "CreateVpc", input: tagged("prod") });
  });

  it("ELBv2: AccessDenied (403), `on resource` only for resource-level actions", async () => {
    const d = await denied({ caller: user({}), service: ELB, operation: "DescribeLoadBalancers" });
    assert.equal(d.code, "AccessDenied");
    assert.equal(d.status, 403);
    assert.equal(d.message, `User: arn:aws:iam::${A}:user/alice is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers because no identity-based policy allows the elasticloadbalancing:DescribeLoadBalancers action`);
    const lb = `arn:aws:elasticloadbalancing:us-east-1:${A}:loadbalancer/app/web/0123456789abcdef`;
    const e = await denied({ caller: user({}), service: ELB, operation: "DeleteLoadBalancer", input: { LoadBalancerArn: lb } });
    assert.match(e.message, new RegExp(`DeleteLoadBalancer on resource: ${lb} because`));
  });

  it("an operation without a spec is authorized as SERVICE:Operation on *", async () => {
    const alice = user(only(allow("ecs:ExecuteCommand")));
    assert.equal(await outcome({ caller: alice, service: ECS, operation: "ExecuteCommand" }), "allowed");
    // An operation the table does not know (every modelled ECS operation has a spec now).
    const e = await denied({ caller: alice, service: ECS, operation: "SomeFutureOperation" });
    assert.match(e.message, /ecs:SomeFutureOperation on resource: \*/);
    // Task protection with no task named is decided on the cluster, not passed unevaluated.
    const p = await denied({ caller: alice, service: ECS, operation: "UpdateTaskProtection" });
    assert.match(p.message, /ecs:UpdateTaskProtection on resource: arn:aws:ecs:us-east-1:\d+:cluster\/default/);
  });

  it("task sets: created on their service, deleted and promoted as task-set ARNs", async () => {
    const alice = user({});
    const created = await denied({ caller: alice, service: ECS, operation: "CreateTaskSet", input: { cluster: "prod", service: "web", taskDefinition: "web:1" } });
    assert.match(created.message, new RegExp(`ecs:CreateTaskSet on resource: arn:aws:ecs:us-east-1:${A}:service/prod/web because`));
    const del = await denied({ caller: alice, service: ECS, operation: "DeleteTaskSet", input: { cluster: "prod", service: "web", taskSet: "ecs-svc/1234567890123456789" } });
    assert.match(del.message, new RegExp(`ecs:DeleteTaskSet on resource: arn:aws:ecs:us-east-1:${A}:task-set/prod/web/ecs-svc/1234567890123456789 because`));
  });

  describe("iam:PassRole", () => {
    const ROLE = `arn:aws:iam::${A}:role/app`;
    const td = { family: "web", containerDefinitions: [], taskRoleArn: ROLE };
    it("RegisterTaskDefinition needs iam:PassRole on its roles, passed to ecs-tasks", async () => {
      const noPass = user(only(allow("ecs:RegisterTaskDefinition")));
      const e = await denied({ caller: noPass, service: ECS, operation: "RegisterTaskDefinition", input: td });
      assert.equal(e.message, `User: arn:aws:iam::${A}:user/alice is not authorized to perform: iam:PassRole on resource: ${ROLE} because no identity-based policy allows the iam:PassRole action`);
      const pass = (to: string) => user(only(allow("ecs:RegisterTaskDefinition"), allow("iam:PassRole", ROLE, { Condition: { StringEquals: { "iam:PassedToService": to } } })));
      assert.equal(await outcome({ caller: pass("ecs-tasks.amazonaws.com"), service: ECS, operation: "RegisterTaskDefinition", input: td }), "allowed");
      await denied({ caller: pass("ec2.amazonaws.com"), service: ECS, operation: "RegisterTaskDefinition", input: td });
      assert.equal(await outcome({ caller: noPass, service: ECS, operation: "RegisterTaskDefinition", input: { family: "web" } }), "allowed");
    });

    it("RunTask passes the override's task role; with a role directory the role must exist and trust ecs-tasks", async () => {
      const input = { taskDefinition: "web:1", overrides: { taskRoleArn: ROLE } };
      const alice = user(only(allow("ecs:RunTask")));
      const e = await denied({ caller: alice, service: ECS, operation: "RunTask", input });
      assert.match(e.message, /iam:PassRole on resource: arn:aws:iam::\d+:role\/app because/);
      const roles = (t: boolean | undefined): RoleDirectory => ({ trusts: (arn, svc) => (arn === ROLE && svc === "ecs-tasks.amazonaws.com" ? t : undefined) });
      const root = rootCaller("AKIAROOT", "s", `arn:aws:iam::${A}:root`, A);
      assert.equal(await outcome({ caller: root, service: ECS, operation: "RunTask", input, roles: roles(true) }), "allowed");
      for (const t of [false, undefined]) {
        const r = await denied({ caller: root, service: ECS, operation: "RunTask", input, roles: roles(t) });
        assert.equal(r.code, "ClientException");
        assert.equal(r.message, `ECS was unable to assume the role '${ROLE}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`);
      }
      assert.equal(await outcome({ caller: root, service: ECS, operation: "RunTask", input }), "allowed", "no directory: no trust check");
    });
  });

  describe("session tokens", () => {
    const session = user(only(allow("*")), { sessionToken: "tok", expiresAt: NOW + 60_000 });
    it("temporary credentials need their token", async () => {
      assert.equal(await outcome({ caller: session, service: ECS, operation: "ListClusters", sessionToken: "tok" }), "allowed");
      for (const t of [undefined, "other"]) {
        const e = await denied({ caller: session, service: ECS, operation: "ListClusters", ...(t ? { sessionToken: t } : {}) });
        assert.equal(e.code, "UnrecognizedClientException");
        assert.equal(e.message, "The security token included in the request is invalid.");
      }
    });
    it("expired credentials are refused", async () => {
      const e = await denied({ caller: session, service: ECS, operation: "ListClusters", sessionToken: "tok", now: NOW + 60_000 });
      assert.equal(e.code, "ExpiredTokenException");
      assert.equal(e.message, "The security token included in the request is expired");
    });
    it("long-term keys with a token are refused", async () => {
      const e = await denied({ caller: user(only(allow("*"))), service: ECS, operation: "ListClusters", sessionToken: "tok" });
      assert.equal(e.code, "UnrecognizedClientException");
    });
  });
});
