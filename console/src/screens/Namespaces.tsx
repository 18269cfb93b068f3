import { GetInstancesHealthStatusCommand, GetNamespaceCommand, GetServiceCommand, ListInstancesCommand, ListNamespacesCommand, ListServicesCommand } from "@aws-sdk/client-servicediscovery";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useApi } from "../api-context";
import { ListTable, when } from "../ListTable";
import { allPages } from "../paging";
import { usePoll } from "../poll";
import { href } from "../router";
import { Status } from "./status";

/** Cloud Map namespaces (ListNamespaces). */
export function Namespaces() {
  const api = useApi();
  const p = usePoll(
    () => allPages(async (NextToken) => { const o = await api.cloudMap.send(new ListNamespacesCommand({ NextToken })); return { items: o.Namespaces, next: o.NextToken }; }),
    [],
  );
  return (
    <ContentLayout header={<Header variant="h1">Cloud Map namespaces</Header>}>
      <ListTable
        testId="namespaces"
        title="Namespaces"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(n) => `${n.Name} ${n.Id} ${n.Type}`}
        columns={[
          { id: "name", header: "Name", cell: (n) => <Link href={href("namespaces", n.Id!)}>{n.Name}</Link> },
          { id: "id", header: "ID", cell: (n) => n.Id },
          { id: "type", header: "Type", cell: (n) => n.Type },
          { id: "services", header: "Services", cell: (n) => n.ServiceCount ?? "-" },
          { id: "created", header: "Created", cell: (n) => when(n.CreateDate) },
        ]}
      />
    </ContentLayout>
  );
}

/** A namespace and its services (ListServices filtered by NAMESPACE_ID). */
export function Namespace({ id }: { id: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const ns = (await api.cloudMap.send(new GetNamespaceCommand({ Id: id }))).Namespace!;
    const services = await allPages(async (NextToken) => {
      const o = await api.cloudMap.send(new ListServicesCommand({ NextToken, Filters: [{ Name: "NAMESPACE_ID", Values: [id], Condition: "EQ" }] }));
      return { items: o.Services, next: o.NextToken };
    });
    return { ns, services };
  }, [id]);
  const d = p.data;
  return (
    <ContentLayout header={<Header variant="h1" description={d ? `${d.ns.Type} · ${id}` : p.error}>{d?.ns.Name ?? id}</Header>}>
      {!d && p.error && <Alert type="error">{p.error}</Alert>}
      {d && (
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Details</Header>}>
            <ColumnLayout columns={3} variant="text-grid">
              <div><Box variant="awsui-key-label">Type</Box>{d.ns.Type}</div>
              <div><Box variant="awsui-key-label">Hosted zone</Box>{d.ns.Properties?.DnsProperties?.HostedZoneId ?? "-"}</div>
              <div><Box variant="awsui-key-label">HTTP name</Box>{d.ns.Properties?.HttpProperties?.HttpName ?? "-"}</div>
            </ColumnLayout>
          </Container>
          <ListTable
            testId="cloud-map-services"
            title="Services"
            items={d.services}
            text={(s) => `${s.Name} ${s.Id}`}
            columns={[
              { id: "name", header: "Name", cell: (s) => <Link href={href("namespaces", id, "services", s.Id!)}>{s.Name}</Link> },
              { id: "id", header: "ID", cell: (s) => s.Id },
              { id: "instances", header: "Instances", cell: (s) => s.InstanceCount ?? "-" },
              { id: "records", header: "DNS records", cell: (s) => (s.DnsConfig?.DnsRecords ?? []).map((r) => `${r.Type} (TTL ${r.TTL})`).join(", ") || "-" },
              { id: "health", header: "Health check", cell: (s) => (s.HealthCheckCustomConfig ? "custom" : s.HealthCheckConfig ? `${s.HealthCheckConfig.Type} ${s.HealthCheckConfig.ResourcePath ?? ""}` : "none") },
            ]}
          />
        </SpaceBetween>
      )}
    </ContentLayout>
  );
}

/** A Cloud Map service's instances with their attributes and health (ListInstances + GetInstancesHealthStatus). */
export function CloudMapService({ namespace, id }: { namespace: string; id: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const svc = (await api.cloudMap.send(new GetServiceCommand({ Id: id }))).Service!;
    const instances = await allPages(async (NextToken) => { const o = await api.cloudMap.send(new ListInstancesCommand({ ServiceId: id, NextToken })); return { items: o.Instances, next: o.NextToken }; });
    const health: Record<string, string> = {};
    let NextToken: string | undefined;
    do {
      const o = await api.cloudMap.send(new GetInstancesHealthStatusCommand({ ServiceId: id, NextToken }));
      Object.assign(health, o.Status ?? {});
      NextToken = o.NextToken;
    } while (NextToken);
    return { svc, instances, health };
  }, [id]);
  const d = p.data;
  return (
    <ContentLayout header={<Header variant="h1" description={<>Cloud Map service in <Link href={href("namespaces", namespace)}>{namespace}</Link></>}>{d?.svc.Name ?? id}</Header>}>
      {!d && p.error && <Alert type="error">{p.error}</Alert>}
      {d && (
        <ListTable
          testId="cloud-map-instances"
          title="Instances"
          items={d.instances}
          empty="No instances are registered."
          text={(i) => `${i.Id} ${JSON.stringify(i.Attributes ?? {})} ${d.health[i.Id!] ?? ""}`}
          columns={[
            { id: "id", header: "Instance", cell: (i) => i.Id },
            { id: "health", header: "Health", cell: (i) => (d.health[i.Id!] ? <Status value={d.health[i.Id!]} /> : "-") },
            { id: "ip", header: "IPv4", cell: (i) => i.Attributes?.AWS_INSTANCE_IPV4 ?? "-" },
            { id: "port", header: "Port", cell: (i) => i.Attributes?.AWS_INSTANCE_PORT ?? "-" },
            { id: "attrs", header: "Attributes", cell: (i) => Object.entries(i.Attributes ?? {}).filter(([k]) => !/^AWS_INSTANCE_(IPV4|PORT)$/.test(k)).map(([k, v]) => `${k}=${v}`).join(", ") || "-" },
          ]}
        />
      )}
    </ContentLayout>
  );
}
