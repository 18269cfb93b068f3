import { DescribeTargetGroupsCommand, DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";
import { elbNameOf } from "../../../src/core/console/resource-text";
import { useApi } from "../api-context";
import { ListTable } from "../ListTable";
import { allPages } from "../paging";
import { usePoll } from "../poll";
import { href } from "../router";
import { TargetGroupList } from "./LoadBalancers";

/** Target groups (DescribeTargetGroups). */
export function TargetGroups() {
  const api = useApi();
  const p = usePoll(
    () => allPages(async (Marker) => { const o = await api.elbv2.send(new DescribeTargetGroupsCommand({ Marker })); return { items: o.TargetGroups, next: o.NextMarker }; }),
    [],
  );
  return (
    <ContentLayout header={<Header variant="h1">Target groups</Header>}>
      <TargetGroupList title="Target groups" items={p.data} loading={p.loading} error={p.error} />
    </ContentLayout>
  );
}

/** A target health state (ELBv2's TargetHealthStateEnum) as a status. */
export function TargetState({ value }: { value: string | undefined }) {
  const types: Record<string, StatusIndicatorProps.Type> = {
    healthy: "success",
    initial: "in-progress",
    draining: "in-progress",
    unhealthy: "error",
    "unhealthy.draining": "error",
    unused: "stopped",
    unavailable: "warning",
  };
  return <StatusIndicator type={types[value ?? ""] ?? "info"}>{value ?? "-"}</StatusIndicator>;
}

/** A target group: its settings and each registered target's health as DescribeTargetHealth gives it. */
export function TargetGroup({ name }: { name: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const tg = (await api.elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0];
    if (!tg) throw new Error(`Target group '${name}' not found`);
    const health = (await api.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
    return { tg, health };
  }, [name]);
  const d = p.data;
  return (
    <ContentLayout header={<Header variant="h1" description={d ? d.tg.TargetGroupArn : p.error}>{name}</Header>}>
      {!d && p.error && <Alert type="error">{p.error}</Alert>}
      {d && (
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Details</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">Target type</Box>{d.tg.TargetType}</div>
              <div><Box variant="awsui-key-label">Protocol:port</Box>{`${d.tg.Protocol ?? "-"}:${d.tg.Port ?? "-"}`}</div>
              <div><Box variant="awsui-key-label">VPC</Box>{d.tg.VpcId ?? "-"}</div>
              <div>
                <Box variant="awsui-key-label">Load balancers</Box>
                {(d.tg.LoadBalancerArns ?? []).length === 0
                  ? "-"
                  : (d.tg.LoadBalancerArns ?? []).map((a) => { const n = elbNameOf(a); return <div key={a}><Link href={href("load-balancers", n)}>{n}</Link></div>; })}
              </div>
              <div><Box variant="awsui-key-label">Health check</Box>{`${d.tg.HealthCheckProtocol ?? ""} ${d.tg.HealthCheckPath ?? ""} port ${d.tg.HealthCheckPort ?? "-"}`}</div>
              <div><Box variant="awsui-key-label">Interval / timeout</Box>{`${d.tg.HealthCheckIntervalSeconds ?? "-"} s / ${d.tg.HealthCheckTimeoutSeconds ?? "-"} s`}</div>
              <div><Box variant="awsui-key-label">Healthy / unhealthy threshold</Box>{`${d.tg.HealthyThresholdCount ?? "-"} / ${d.tg.UnhealthyThresholdCount ?? "-"}`}</div>
              <div><Box variant="awsui-key-label">Success codes</Box>{d.tg.Matcher?.HttpCode ?? d.tg.Matcher?.GrpcCode ?? "-"}</div>
            </ColumnLayout>
          </Container>
          <ListTable
            testId="target-health"
            title="Registered targets"
            items={d.health}
            text={(h) => `${h.Target?.Id} ${h.Target?.Port} ${h.TargetHealth?.State} ${h.TargetHealth?.Reason ?? ""} ${h.TargetHealth?.Description ?? ""}`}
            empty="No targets are registered."
            columns={[
              { id: "id", header: "Target", cell: (h) => h.Target?.Id },
              { id: "port", header: "Port", cell: (h) => h.Target?.Port ?? "-" },
              { id: "az", header: "Zone", cell: (h) => h.Target?.AvailabilityZone ?? "-" },
              { id: "state", header: "Health", cell: (h) => <TargetState value={h.TargetHealth?.State} /> },
              { id: "reason", header: "Reason code", cell: (h) => h.TargetHealth?.Reason ?? "-" },
              { id: "desc", header: "Description", cell: (h) => h.TargetHealth?.Description ?? "-" },
            ]}
          />
        </SpaceBetween>
      )}
    </ContentLayout>
  );
}
