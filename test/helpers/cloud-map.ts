import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import {
  CreatePrivateDnsNamespaceCommand,
  CreateServiceCommand,
  GetOperationCommand,
  ListNamespacesCommand,
  ServiceDiscoveryClient,
  type DnsRecord,
} from "@aws-sdk/client-servicediscovery";
import type { TestWharf } from "./harness.js";
import { waitFor } from "./wait.js";

/** A Cloud Map client for a test Wharf (host prefixes off: DiscoverInstances would go to data-<host>). */
export const cloudMap = (w: TestWharf): ServiceDiscoveryClient =>
  new ServiceDiscoveryClient({ endpoint: w.server.url, region: "us-east-1", credentials: w.server.credentials, maxAttempts: 1, disableHostPrefix: true });

/**
 * A Cloud Map service to register ECS tasks in: a private DNS namespace `namespace` (made on
 * first use, in `vpcId` or the default VPC) and a service `name` with these DNS records.
 */
export async function createRegistry(
  w: TestWharf,
  name: string,
  records: DnsRecord["Type"][],
  opts: { namespace?: string; vpcId?: string; customHealth?: boolean } = {},
): Promise<{ arn: string; id: string; namespaceId: string }> {
  const sd = cloudMap(w);
  const nsName = opts.namespace ?? "internal.local";
  let ns = (await sd.send(new ListNamespacesCommand({ Filters: [{ Name: "NAME", Values: [nsName], Condition: "EQ" }] }))).Namespaces?.[0]?.Id;
  if (!ns) {
    const vpc = opts.vpcId ?? (await w.ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }))).Vpcs![0]!.VpcId!;
    const { OperationId } = await sd.send(new CreatePrivateDnsNamespaceCommand({ Name: nsName, Vpc: vpc }));
    ns = await waitFor(async () => {
      const op = (await sd.send(new GetOperationCommand({ OperationId: OperationId! }))).Operation!;
      return op.Status === "SUCCESS" && op.Targets!.NAMESPACE;
    }, { what: `namespace ${nsName}`, timeoutMs: 10_000 });
  }
  const svc = (
    await sd.send(
      new CreateServiceCommand({
        Name: name,
        NamespaceId: ns,
        DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: records.map((Type) => ({ Type, TTL: 10 })) },
        ...(opts.customHealth ? { HealthCheckCustomConfig: { FailureThreshold: 1 } } : {}),
      }),
    )
  ).Service!;
  sd.destroy();
  return { arn: svc.Arn!, id: svc.Id!, namespaceId: ns };
}
