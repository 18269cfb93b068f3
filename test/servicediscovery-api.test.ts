import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CreateVpcCommand } from "@aws-sdk/client-ec2";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateHttpNamespaceCommand,
  CreatePrivateDnsNamespaceCommand,
  CreatePublicDnsNamespaceCommand,
  CreateServiceCommand,
  DeleteNamespaceCommand,
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  DiscoverInstancesCommand,
  DiscoverInstancesRevisionCommand,
  GetInstanceCommand,
  GetInstancesHealthStatusCommand,
  GetNamespaceCommand,
  GetOperationCommand,
  GetServiceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListOperationsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  RegisterInstanceCommand,
  ServiceDiscoveryClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateInstanceCustomHealthStatusCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-servicediscovery";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

const codeOf = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (e) {
    return (e as { name: string }).name;
  }
  throw new Error("expected the call to fail");
};

describe("Cloud Map API (SDK and aws CLI)", () => {
  let w: TestWharf;
  let sd: ServiceDiscoveryClient;
  let vpcId: string;

  before(async () => {
    w = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
    sd = new ServiceDiscoveryClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1, disableHostPrefix: true });
    vpcId = (await w.ec2.send(new CreateVpcCommand({ CidrBlock: "10.250.0.0/16" }))).Vpc!.VpcId!;
  });
  after(async () => {
    await w?.close();
  });

  const succeeded = (id: string) =>
    waitFor(async () => {
      const op = (await sd.send(new GetOperationCommand({ OperationId: id }))).Operation!;
      return op.Status === "SUCCESS" && op;
    }, { what: `operation ${id} SUCCESS`, timeoutMs: 10_000 });

  it("creates a private DNS namespace in an EC2 VPC through an asynchronous operation", async () => {
    const out = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: "internal.local", Vpc: vpcId, Tags: [{ Key: "team", Value: "a" }] }));
    assert.match(out.OperationId!, /^[a-z0-9]{32}-[a-z0-9]{8}$/);
    const first = (await sd.send(new GetOperationCommand({ OperationId: out.OperationId! }))).Operation!;
    assert.ok(["SUBMITTED", "PENDING", "SUCCESS"].includes(first.Status!));
    assert.equal(first.Type, "CREATE_NAMESPACE");
    const op = await succeeded(out.OperationId!);
    const nsId = op.Targets!.NAMESPACE!;
    assert.match(nsId, /^ns-[a-z0-9]{16}$/);
    const ns = (await sd.send(new GetNamespaceCommand({ Id: nsId }))).Namespace!;
    assert.equal(ns.Name, "internal.local");
    assert.equal(ns.Type, "DNS_PRIVATE");
    assert.equal(ns.Arn, `arn:aws:servicediscovery:us-east-1:${w.server.accountId}:namespace/${nsId}`);
    assert.match(ns.Properties!.DnsProperties!.HostedZoneId!, /^Z[A-Z0-9]{13}$/);
    assert.equal(ns.Properties!.HttpProperties!.HttpName, "internal.local");
    assert.ok(ns.CreatorRequestId, "the SDK fills CreatorRequestId");
    // The same CreatorRequestId answers the same operation; another request for the name is refused.
    const again = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: "internal.local", Vpc: vpcId, CreatorRequestId: ns.CreatorRequestId!, Tags: [{ Key: "team", Value: "a" }] }));
    assert.equal(again.OperationId, out.OperationId);
    const dup = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: "internal.local", Vpc: vpcId })).catch((e) => e);
    assert.equal(dup.name, "NamespaceAlreadyExists");
    assert.equal(dup.NamespaceId, nsId);
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: ns.Arn! }))).Tags, [{ Key: "team", Value: "a" }]);
  });

  it("refuses a VPC EC2 does not have, public DNS namespaces, and model violations as InvalidInput", async () => {
    assert.equal(await codeOf(sd.send(new CreatePrivateDnsNamespaceCommand({ Name: "x.local", Vpc: "vpc-0000000000000000f" }))), "InvalidInput");
    const pub = await sd.send(new CreatePublicDnsNamespaceCommand({ Name: "example.com" })).catch((e) => e);
    assert.equal(pub.name, "UnsupportedFeatureException");
    assert.match(pub.message, /public DNS/);
    const bad = await sd.send(new ListNamespacesCommand({ MaxResults: 0 })).catch((e) => e);
    assert.equal(bad.name, "InvalidInput");
    assert.match(bad.message, /1 validation error detected: Value '0' at 'maxResults'|MaxResults/);
    assert.equal(await codeOf(sd.send(new GetNamespaceCommand({ Id: "ns-aaaaaaaaaaaaaaaa" }))), "NamespaceNotFound");
  });

  it("serves services, instances, discovery with filters, health and revisions", async () => {
    const nsId = (await sd.send(new ListNamespacesCommand({ Filters: [{ Name: "NAME", Values: ["internal.local"], Condition: "EQ" }] }))).Namespaces![0]!.Id!;
    const svc = (
      await sd.send(
        new CreateServiceCommand({
          Name: "api",
          NamespaceId: nsId,
          DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 10 }, { Type: "SRV", TTL: 10 }] },
          HealthCheckCustomConfig: { FailureThreshold: 1 },
        }),
      )
    ).Service!;
    assert.match(svc.Id!, /^srv-[a-z0-9]{16}$/);
    assert.equal(svc.Type, "DNS_HTTP");
    assert.equal(await codeOf(sd.send(new CreateServiceCommand({ Name: "api", NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] } }))), "ServiceAlreadyExists");
    assert.equal(await codeOf(sd.send(new CreateServiceCommand({ Name: "c", NamespaceId: nsId, DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "CNAME", TTL: 10 }] } }))), "InvalidInput");
    // SRV needs a port and an address.
    assert.equal(await codeOf(sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id!, InstanceId: "i1", Attributes: { AWS_INSTANCE_IPV4: "10.250.0.5" } }))), "InvalidInput");
    const rev0 = (await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: "internal.local", ServiceName: "api" }))).InstancesRevision!;
    for (const [id, ip, color] of [["i1", "10.250.0.5", "blue"], ["i2", "10.250.0.6", "green"], ["i3", "10.250.0.7", "blue"]] as const) {
      const op = await sd.send(new RegisterInstanceCommand({ ServiceId: svc.Id!, InstanceId: id, Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: "8080", color } }));
      await succeeded(op.OperationId!);
    }
    const rev1 = (await sd.send(new DiscoverInstancesRevisionCommand({ NamespaceName: "internal.local", ServiceName: "api" }))).InstancesRevision!;
    assert.equal(rev1, rev0 + 3);
    const found = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api" }));
    assert.deepEqual(found.Instances!.map((i) => i.InstanceId).sort(), ["i1", "i2", "i3"]);
    assert.equal(found.Instances![0]!.HealthStatus, "HEALTHY");
    assert.equal(found.InstancesRevision, rev1);
    const blue = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", QueryParameters: { color: "blue" } }));
    assert.deepEqual(blue.Instances!.map((i) => i.InstanceId).sort(), ["i1", "i3"]);
    const pref = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", OptionalParameters: { color: "green" } }));
    assert.deepEqual(pref.Instances!.map((i) => i.InstanceId), ["i2"]);
    const none = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", OptionalParameters: { color: "red" } }));
    assert.equal(none.Instances!.length, 3, "optional parameters that match nothing are dropped");

    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: svc.Id!, InstanceId: "i2", Status: "UNHEALTHY" }));
    const health = (await sd.send(new GetInstancesHealthStatusCommand({ ServiceId: svc.Id! }))).Status!;
    assert.deepEqual(health, { i1: "HEALTHY", i2: "UNHEALTHY", i3: "HEALTHY" });
    const healthy = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api" }));
    assert.deepEqual(healthy.Instances!.map((i) => i.InstanceId).sort(), ["i1", "i3"]);
    const sick = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", HealthStatus: "UNHEALTHY" }));
    assert.deepEqual(sick.Instances!.map((i) => i.InstanceId), ["i2"]);
    assert.equal((await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", HealthStatus: "ALL" }))).Instances!.length, 3);
    const failOpen = await sd.send(new DiscoverInstancesCommand({ NamespaceName: "internal.local", ServiceName: "api", QueryParameters: { color: "green" }, HealthStatus: "HEALTHY_OR_ELSE_ALL" }));
    assert.deepEqual(failOpen.Instances!.map((i) => i.InstanceId), ["i2"], "no healthy one: all are returned");
    assert.ok(healthy.InstancesRevision! > rev1, "a health change is a new revision");

    const got = (await sd.send(new GetInstanceCommand({ ServiceId: svc.Id!, InstanceId: "i1" }))).Instance!;
    assert.equal(got.Attributes!.AWS_INSTANCE_IPV4, "10.250.0.5");
    const page1 = await sd.send(new ListInstancesCommand({ ServiceId: svc.Id!, MaxResults: 2 }));
    assert.equal(page1.Instances!.length, 2);
    const page2 = await sd.send(new ListInstancesCommand({ ServiceId: svc.Id!, MaxResults: 2, NextToken: page1.NextToken! }));
    assert.deepEqual([...page1.Instances!, ...page2.Instances!].map((i) => i.Id), ["i1", "i2", "i3"]);
    assert.equal(page2.NextToken, undefined);

    assert.equal(await codeOf(sd.send(new DeleteServiceCommand({ Id: svc.Id! }))), "ResourceInUse");
    assert.equal(await codeOf(sd.send(new DeleteNamespaceCommand({ Id: nsId }))), "ResourceInUse");
    const upd = await sd.send(new UpdateServiceCommand({ Id: svc.Id!, Service: { Description: "the api", DnsConfig: { DnsRecords: [{ Type: "A", TTL: 30 }, { Type: "SRV", TTL: 30 }] } } }));
    assert.equal((await succeeded(upd.OperationId!)).Type, "UPDATE_SERVICE");
    const dereg = await sd.send(new DeregisterInstanceCommand({ ServiceId: svc.Id!, InstanceId: "i3" }));
    assert.equal((await succeeded(dereg.OperationId!)).Targets!.INSTANCE, "i3");
    assert.equal(await codeOf(sd.send(new GetInstanceCommand({ ServiceId: svc.Id!, InstanceId: "i3" }))), "InstanceNotFound");
    assert.equal(await codeOf(sd.send(new DeregisterInstanceCommand({ ServiceId: svc.Id!, InstanceId: "i3" }))), "InstanceNotFound");
    const ops = await sd.send(new ListOperationsCommand({ Filters: [{ Name: "SERVICE_ID", Values: [svc.Id!], Condition: "EQ" }] }));
    assert.ok(ops.Operations!.length >= 5);
  });

  it("tags, HTTP namespaces, list paging and the aws CLI", async () => {
    const http = await sd.send(new CreateHttpNamespaceCommand({ Name: "apps" }));
    const httpNs = (await succeeded(http.OperationId!)).Targets!.NAMESPACE!;
    assert.equal(await codeOf(sd.send(new CreateServiceCommand({ Name: "x", NamespaceId: httpNs, DnsConfig: { DnsRecords: [{ Type: "A", TTL: 5 }] } }))), "InvalidInput");
    const hs = (await sd.send(new CreateServiceCommand({ Name: "worker", NamespaceId: httpNs, Tags: [{ Key: "k", Value: "v" }] }))).Service!;
    assert.equal(hs.Type, "HTTP");
    await sd.send(new TagResourceCommand({ ResourceARN: hs.Arn!, Tags: [{ Key: "k2", Value: "v2" }] }));
    await sd.send(new UntagResourceCommand({ ResourceARN: hs.Arn!, TagKeys: ["k"] }));
    assert.deepEqual((await sd.send(new ListTagsForResourceCommand({ ResourceARN: hs.Arn! }))).Tags, [{ Key: "k2", Value: "v2" }]);
    const p1 = await sd.send(new ListNamespacesCommand({ MaxResults: 1 }));
    const p2 = await sd.send(new ListNamespacesCommand({ MaxResults: 1, NextToken: p1.NextToken! }));
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual([...p1.Namespaces!, ...p2.Namespaces!].map((n) => n.Name).sort(), ["apps", "internal.local"]);
    const httpOnly = await sd.send(new ListNamespacesCommand({ Filters: [{ Name: "TYPE", Values: ["HTTP"], Condition: "EQ" }] }));
    assert.deepEqual(httpOnly.Namespaces!.map((n) => n.Name), ["apps"]);
    const inNs = await sd.send(new ListServicesCommand({ Filters: [{ Name: "NAMESPACE_ID", Values: [httpNs], Condition: "EQ" }] }));
    assert.deepEqual(inNs.Services!.map((s) => s.Name), ["worker"]);

    // The aws CLI end to end (its paginators included).
    await w.aws("servicediscovery", "register-instance", "--service-id", hs.Id!, "--instance-id", "w1", "--attributes", "zone=a,AWS_INSTANCE_IPV4=10.1.1.1");
    const listed = await w.aws("servicediscovery", "list-namespaces");
    assert.equal(listed.Namespaces.length, 2);
    const disc = await w.aws("servicediscovery", "discover-instances", "--namespace-name", "apps", "--service-name", "worker");
    assert.deepEqual(disc.Instances.map((i: { InstanceId: string }) => i.InstanceId), ["w1"]);
    assert.equal(disc.Instances[0].HealthStatus, "UNKNOWN", "a service without health checks reports UNKNOWN");
    const err = await w.awsError("servicediscovery", "get-service", "--id", "srv-aaaaaaaaaaaaaaaa");
    assert.equal(err.code, "ServiceNotFound");
    const hsErr = await w.awsError("servicediscovery", "update-instance-custom-health-status", "--service-id", hs.Id!, "--instance-id", "w1", "--status", "HEALTHY");
    assert.equal(hsErr.code, "CustomHealthNotFound");
  });

  it("publishes its private DNS namespaces to the DNS server's record source, to their VPC and the host only", async () => {
    const dns = w.server.cloudMap.dns;
    const host = await dns.lookup("api.internal.local", "A", {});
    assert.equal(host.kind, "answer");
    // i1 is healthy, i2 was set UNHEALTHY, i3 deregistered.
    assert.deepEqual(host.kind === "answer" && host.records.map((r) => r.value), ["10.250.0.5"]);
    const inVpc = await dns.lookup("API.internal.local.", "SRV", { vpcId });
    assert.ok(inVpc.kind === "answer");
    assert.deepEqual(inVpc.records.map((r) => r.value), [{ priority: 1, weight: 1, port: 8080, target: "i1.api.internal.local" }]);
    assert.deepEqual(inVpc.additional?.map((r) => [r.name, r.value]), [["i1.api.internal.local", "10.250.0.5"]]);
    assert.equal((await dns.lookup("api.internal.local", "A", { vpcId: "vpc-0123456789abcdef0" })).kind, "foreign");
    const nx = await dns.lookup("nope.internal.local", "A", { vpcId });
    assert.equal(nx.kind, "nxdomain");
    assert.equal((await dns.lookup("example.org", "A", {})).kind, "foreign");
    assert.equal((await dns.lookup("worker.apps", "A", {})).kind, "foreign", "HTTP namespaces publish no DNS");
  });

  it("authorizes each call on the namespace or service ARN it names", async () => {
    const iam = new IAMClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1 });
    const services = (await sd.send(new ListServicesCommand({}))).Services!;
    const api = services.find((s) => s.Name === "api")!;
    const worker = services.find((s) => s.Name === "worker")!;
    await iam.send(new CreateUserCommand({ UserName: "reader" }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: "reader",
        PolicyName: "one-service",
        PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "servicediscovery:GetService", Resource: api.Arn }] }),
      }),
    );
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "reader" }))).AccessKey!;
    const reader = new ServiceDiscoveryClient({
      endpoint: w.server.url,
      region: "us-east-1",
      credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! },
      maxAttempts: 1,
      disableHostPrefix: true,
    });
    assert.equal((await reader.send(new GetServiceCommand({ Id: api.Id! }))).Service!.Name, "api");
    const denied = await reader.send(new GetServiceCommand({ Id: worker.Id! })).catch((e) => e);
    assert.equal(denied.name, "AccessDeniedException");
    assert.match(denied.message, new RegExp(`servicediscovery:GetService on resource: ${worker.Arn!.replace(/[/.]/g, "\\$&")}`));
    assert.equal(await codeOf(reader.send(new ListNamespacesCommand({}))), "AccessDeniedException");
    reader.destroy();
    iam.destroy();
  });
});
