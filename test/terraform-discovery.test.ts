import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { GetNamespaceCommand, GetServiceCommand, ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { terraformSkip, type TerraformStack, terraformStack } from "./helpers/terraform.js";

/**
 * examples/terraform-discovery with the real `terraform` binary and the hashicorp/aws provider
 * from the local mirror: aws_service_discovery_private_dns_namespace (bound to a VPC of the EC2
 * API), aws_service_discovery_http_namespace, aws_service_discovery_service (A + SRV, MULTIVALUE,
 * custom health) and an aws_ecs_service with `service_registries` apply, plan with no changes (any
 * drift is a Wharf bug), and destroy.
 */
describe("Terraform: Cloud Map namespaces, a discovery service and an ECS service registered in it apply, plan clean and destroy", { skip: terraformSkip }, () => {
  let h: TestWharf;
  let sd: ServiceDiscoveryClient;
  let t: TerraformStack | undefined;

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false } });
    sd = new ServiceDiscoveryClient({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1, disableHostPrefix: true });
    t = terraformStack("terraform-discovery", h.server.credentials, { endpoint: h.server.url, name: "tf-sd" });
      });
  after(async () => {
    await t?.cleanup();
    sd?.destroy();
    await h?.close();
  });

  it("apply, plan -detailed-exitcode = 0, destroy", async () => {
    await t!.init();
    await t!.apply();
    const out = await t!.outputs();
    const ns = (await sd.send(new GetNamespaceCommand({ Id: out.namespace_id!.value }))).Namespace!;
    assert.equal(ns.Type, "DNS_PRIVATE");
    assert.equal(ns.Name, "internal.local");
    assert.equal(ns.Properties!.DnsProperties!.HostedZoneId, out.hosted_zone!.value);
    const svcId = out.discovery_service_arn!.value.split("/").pop()!;
    const disc = (await sd.send(new GetServiceCommand({ Id: svcId }))).Service!;
    assert.deepEqual(disc.DnsConfig!.DnsRecords!.map((r) => [r.Type, r.TTL]), [["A", 10], ["SRV", 10]]);
    assert.equal(disc.HealthCheckCustomConfig?.FailureThreshold, 1);
    const svc = (await h.ecs.send(new DescribeServicesCommand({ cluster: "tf-sd", services: [out.service_arn!.value] }))).services![0]!;
    assert.deepEqual(svc.serviceRegistries, [{ registryArn: out.discovery_service_arn!.value, containerName: "api", containerPort: 8080 }]);

    const plan = await t!.plan();
    assert.equal(plan.code, 0, `terraform plan shows drift:\n${plan.out}`);

    await t!.destroy();
    const gone = await sd.send(new GetNamespaceCommand({ Id: out.namespace_id!.value })).then(
      () => "still there",
      (e: Error) => e.name,
    );
    assert.equal(gone, "NamespaceNotFound");
  });
});
