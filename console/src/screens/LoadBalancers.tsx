import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { elbActionText as actionText, elbConditionText as conditionText, elbNameOf } from "../../../src/core/console/resource-text";
import { useApi } from "../api-context";
import { ListTable, when } from "../ListTable";
import { allPages } from "../paging";
import { usePoll } from "../poll";
import { href } from "../router";
import { Status } from "./status";

/** Load balancers (DescribeLoadBalancers): name, DNS name, state, scheme, type. */
export function LoadBalancers() {
  const api = useApi();
  const p = usePoll(
    () => allPages(async (Marker) => { const o = await api.elbv2.send(new DescribeLoadBalancersCommand({ Marker })); return { items: o.LoadBalancers, next: o.NextMarker }; }),
    [],
  );
  return (
    <ContentLayout header={<Header variant="h1">Load balancers</Header>}>
      <ListTable
        testId="load-balancers"
        title="Load balancers"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(l) => `${l.LoadBalancerName} ${l.DNSName}`}
        columns={[
          { id: "name", header: "Name", cell: (l) => <Link href={href("load-balancers", l.LoadBalancerName!)}>{l.LoadBalancerName}</Link> },
          { id: "dns", header: "DNS name", cell: (l) => l.DNSName },
          { id: "state", header: "State", cell: (l) => <Status value={l.State?.Code} /> },
          { id: "scheme", header: "Scheme", cell: (l) => l.Scheme },
          { id: "type", header: "Type", cell: (l) => l.Type },
          { id: "created", header: "Created", cell: (l) => when(l.CreatedTime) },
        ]}
      />
    </ContentLayout>
  );
}

/** A load balancer: its attributes, listeners with their rules, and its target groups. */
export function LoadBalancer({ name }: { name: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const lb = (await api.elbv2.send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0];
    if (!lb) throw new Error(`Load balancer '${name}' not found`);
    const listeners = await allPages(async (Marker) => { const o = await api.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn, Marker })); return { items: o.Listeners, next: o.NextMarker }; });
    const rules = await Promise.all(listeners.map(async (l) => (await api.elbv2.send(new DescribeRulesCommand({ ListenerArn: l.ListenerArn }))).Rules ?? []));
    const groups = await allPages(async (Marker) => { const o = await api.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn, Marker })); return { items: o.TargetGroups, next: o.NextMarker }; });
    return { lb, listeners: listeners.map((l, i) => ({ l, rules: rules[i]! })), groups };
  }, [name]);
  const d = p.data;
  return (
    <ContentLayout header={<Header variant="h1" description={d ? d.lb.DNSName : p.error}>{name}</Header>}>
      {!d && p.error && <Alert type="error">{p.error}</Alert>}
      {d && (
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Details</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">State</Box><span data-testid="lb-state"><Status value={d.lb.State?.Code} /></span></div>
              <div><Box variant="awsui-key-label">Scheme</Box>{d.lb.Scheme}</div>
              <div><Box variant="awsui-key-label">Type</Box>{d.lb.Type}</div>
              <div><Box variant="awsui-key-label">VPC</Box>{d.lb.VpcId}</div>
              <div><Box variant="awsui-key-label">DNS name</Box>{d.lb.DNSName}</div>
              <div><Box variant="awsui-key-label">Availability Zones</Box>{(d.lb.AvailabilityZones ?? []).map((z) => `${z.ZoneName} (${z.SubnetId})`).join(", ")}</div>
              <div><Box variant="awsui-key-label">Listens on</Box>{(d.lb.AvailabilityZones ?? []).flatMap((z) => (z.LoadBalancerAddresses ?? []).map((a) => a.IpAddress)).join(", ") || "-"}</div>
              <div><Box variant="awsui-key-label">Security groups</Box>{(d.lb.SecurityGroups ?? []).join(", ") || "-"}</div>
            </ColumnLayout>
          </Container>
          {d.listeners.length === 0 && <Container header={<Header variant="h2">Listeners</Header>}>No listeners.</Container>}
          {d.listeners.map(({ l, rules }) => (
            <ListTable
              key={l.ListenerArn}
              testId={`listener-${l.Port}`}
              title={`Listener ${l.Protocol}:${l.Port}`}
              items={rules}
              pageSize={10}
              text={(r) => `${r.Priority} ${(r.Conditions ?? []).map(conditionText).join(" ")} ${(r.Actions ?? []).map(actionText).join(" ")}`}
              columns={[
                { id: "priority", header: "Priority", cell: (r) => r.Priority },
                { id: "conditions", header: "Conditions", cell: (r) => (r.IsDefault ? "(default: every other request)" : (r.Conditions ?? []).map(conditionText).join("; ")) },
                { id: "actions", header: "Actions", cell: (r) => (r.Actions ?? []).map(actionText).join("; ") },
              ]}
            />
          ))}
          <TargetGroupList title="Target groups" items={d.groups} />
        </SpaceBetween>
      )}
    </ContentLayout>
  );
}

/** Target groups as a list, each linking to its targets' health. */
export function TargetGroupList(p: { title: string; items: TargetGroup[] | undefined; loading?: boolean; error?: string | undefined }) {
  return (
    <ListTable
      testId="target-groups"
      title={p.title}
      items={p.items}
      loading={p.loading ?? false}
      error={p.error}
      text={(g) => g.TargetGroupName ?? ""}
      columns={[
        { id: "name", header: "Name", cell: (g) => <Link href={href("target-groups", g.TargetGroupName!)}>{g.TargetGroupName}</Link> },
        { id: "type", header: "Target type", cell: (g) => g.TargetType },
        { id: "proto", header: "Protocol:port", cell: (g) => `${g.Protocol ?? "-"}:${g.Port ?? "-"}` },
        { id: "hc", header: "Health check", cell: (g) => `${g.HealthCheckProtocol ?? ""} ${g.HealthCheckPath ?? ""} every ${g.HealthCheckIntervalSeconds ?? "-"} s` },
        { id: "lbs", header: "Load balancers", cell: (g) => (g.LoadBalancerArns ?? []).map(elbNameOf).join(", ") || "-" },
      ]}
    />
  );
}
