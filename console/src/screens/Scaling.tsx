import { DescribeScalableTargetsCommand, DescribeScalingActivitiesCommand, DescribeScalingPoliciesCommand } from "@aws-sdk/client-application-auto-scaling";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { scalingPolicyText as policyText } from "../../../src/core/console/resource-text";
import { useApi } from "../api-context";
import { ListTable, when } from "../ListTable";
import { usePoll } from "../poll";
import { Status } from "./status";

/** A service's scalable target, policies and recent scaling activities (Application Auto Scaling, namespace ecs). */
export function ServiceScaling({ cluster, service }: { cluster: string; service: string }) {
  const api = useApi();
  const ResourceId = `service/${cluster}/${service}`;
  const p = usePoll(async () => {
    const q = { ServiceNamespace: "ecs" as const, ResourceIds: [ResourceId], ScalableDimension: "ecs:service:DesiredCount" as const };
    const target = (await api.scaling.send(new DescribeScalableTargetsCommand(q))).ScalableTargets?.[0];
    if (!target) return { target };
    const policies = (await api.scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs", ResourceId, ScalableDimension: "ecs:service:DesiredCount" }))).ScalingPolicies ?? [];
    const activities = (await api.scaling.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId, ScalableDimension: "ecs:service:DesiredCount", MaxResults: 20 }))).ScalingActivities ?? [];
    return { target, policies, activities };
  }, [cluster, service], 5_000);
  const d = p.data;
  return (
    <div data-testid="scaling">
      <SpaceBetween size="l">
        <Container header={<Header variant="h2" description={p.error}>Service auto scaling</Header>}>
          {!d ? "Loading" : !d.target ? "No scalable target is registered for this service (Application Auto Scaling RegisterScalableTarget)." : (
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">Minimum tasks</Box><span data-testid="scaling-min">{d.target.MinCapacity}</span></div>
              <div><Box variant="awsui-key-label">Maximum tasks</Box><span data-testid="scaling-max">{d.target.MaxCapacity}</span></div>
              <div><Box variant="awsui-key-label">Suspended</Box>{Object.entries(d.target.SuspendedState ?? {}).filter(([, v]) => v).map(([k]) => k).join(", ") || "none"}</div>
              <div><Box variant="awsui-key-label">Registered</Box>{when(d.target.CreationTime)}</div>
            </ColumnLayout>
          )}
        </Container>
        {d?.target && (
          <ListTable
            testId="scaling-policies"
            title="Scaling policies"
            items={d.policies}
            variant="container"
            empty="No scaling policies."
            text={(x) => `${x.PolicyName} ${x.PolicyType} ${policyText(x)}`}
            columns={[
              { id: "name", header: "Policy", cell: (x) => x.PolicyName },
              { id: "type", header: "Type", cell: (x) => x.PolicyType },
              { id: "what", header: "Configuration", cell: (x) => policyText(x) },
              { id: "alarms", header: "Alarms", cell: (x) => (x.Alarms ?? []).map((a) => a.AlarmName).join(", ") || "-" },
            ]}
          />
        )}
        {d?.target && (
          <ListTable
            testId="scaling-activities"
            title="Recent scaling activities"
            items={d.activities}
            pageSize={10}
            empty="No scaling activities yet."
            text={(a) => `${a.Description} ${a.Cause} ${a.StatusCode}`}
            columns={[
              { id: "start", header: "Started", cell: (a) => when(a.StartTime) },
              { id: "status", header: "Status", cell: (a) => <Status value={a.StatusCode} /> },
              { id: "desc", header: "Description", cell: (a) => a.Description },
              { id: "cause", header: "Cause", cell: (a) => a.Cause },
              { id: "msg", header: "Status message", cell: (a) => a.StatusMessage ?? "-" },
            ]}
          />
        )}
      </SpaceBetween>
    </div>
  );
}
