import { DeleteServiceCommand, DescribeServicesCommand, ListServiceDeploymentsCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Checkbox from "@cloudscape-design/components/checkbox";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Link from "@cloudscape-design/components/link";
import Modal from "@cloudscape-design/components/modal";
import ProgressBar from "@cloudscape-design/components/progress-bar";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { elbNameOf } from "../../../src/core/console/resource-text";
import type { TimelineAnswer } from "../../../src/contracts/internal-routes";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { ListTable, shortArn, when } from "../ListTable";
import { useNotify } from "../notify";
import { usePoll } from "../poll";
import { go, href } from "../router";
import { clusterTasks, TaskList } from "./Cluster";
import { Explain } from "./Explain";
import { ServiceScaling } from "./Scaling";
import { Status } from "./status";
import { Timeline } from "./Timeline";

/** A service: deployments with progress, the newest deployment's timeline, events, tasks; update and delete. */
export function Service({ cluster, service }: { cluster: string; service: string }) {
  const api = useApi();
  const notify = useNotify();
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const p = usePoll(async () => {
    const out = await api.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const s = out.services?.[0];
    if (!s) throw new Error(out.failures?.[0] ? `${out.failures[0].reason}: ${out.failures[0].arn}` : "The service was not found.");
    return s;
  }, [cluster, service]);
  const s = p.data;
  const timeline = usePoll(async () => {
    const list = await api.ecs.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults: 1 }));
    const arn = list.serviceDeployments?.[0]?.serviceDeploymentArn;
    return arn ? api.internal<TimelineAnswer>("/_wharf/service-deployment-timeline", { serviceDeploymentArn: arn }) : undefined;
  }, [cluster, service]);
  const tasks = usePoll(() => clusterTasks(api, cluster, { serviceName: service }), [cluster, service]);
  const remove = async () => {
    try {
      await api.ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
      notify("success", `Service ${service} is being deleted (its tasks stop).`);
      go("clusters", cluster, "services");
    } catch (e) {
      notify("error", errorText(e));
    }
  };
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={s ? `${s.status} · ${shortArn(s.taskDefinition)} · ${s.launchType ?? s.capacityProviderStrategy?.map((c) => c.capacityProvider).join(",") ?? ""}` : p.error}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => setDeleting(true)} disabled={!s || s.status !== "ACTIVE"}>Delete service</Button>
              <Button variant="primary" onClick={() => setEditing(true)} disabled={!s || s.status !== "ACTIVE"}>Update service</Button>
            </SpaceBetween>
          }
        >
          {service}
        </Header>
      }
    >
      {!s && p.error && <Alert type="error">{p.error}</Alert>}
      {s && (
        <SpaceBetween size="l">
          {editing && <UpdateForm cluster={cluster} service={service} taskDefinition={s.taskDefinition ?? ""} desiredCount={s.desiredCount ?? 0} onDone={() => { setEditing(false); p.refresh(); timeline.refresh(); }} />}
          <Container header={<Header variant="h2">Status</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">Desired</Box>{s.desiredCount}</div>
              <div><Box variant="awsui-key-label">Running</Box><span data-testid="service-running">{s.runningCount}</span></div>
              <div><Box variant="awsui-key-label">Pending</Box>{s.pendingCount}</div>
              <div><Box variant="awsui-key-label">Scheduling</Box>{s.schedulingStrategy}</div>
            </ColumnLayout>
          </Container>
          <Table
            header={<Header variant="h2">Deployments</Header>}
            items={s.deployments ?? []}
            columnDefinitions={[
              { id: "id", header: "Deployment", cell: (d) => d.id },
              { id: "status", header: "Status", cell: (d) => <Status value={d.status} /> },
              { id: "rollout", header: "Rollout", cell: (d) => <Status value={d.rolloutState} /> },
              { id: "td", header: "Task definition", cell: (d) => shortArn(d.taskDefinition) },
              { id: "progress", header: "Progress", cell: (d) => <ProgressBar value={d.desiredCount ? Math.round(((d.runningCount ?? 0) / d.desiredCount) * 100) : 100} additionalInfo={`${d.runningCount ?? 0} running / ${d.desiredCount ?? 0} desired, ${d.pendingCount ?? 0} pending, ${d.failedTasks ?? 0} failed`} /> },
              { id: "reason", header: "Reason", cell: (d) => d.rolloutStateReason ?? "-" },
              { id: "updated", header: "Updated", cell: (d) => when(d.updatedAt) },
            ]}
          />
          {timeline.data && <Timeline answer={timeline.data} />}
          {timeline.error && <Alert type="error">{`Deployment timeline: ${timeline.error}`}</Alert>}
          {(s.runningCount ?? 0) < (s.desiredCount ?? 0) && <Explain input={{ cluster, taskDefinition: s.taskDefinition!, group: `service:${service}`, ...(s.networkConfiguration ? { networkConfiguration: s.networkConfiguration } : {}), ...(s.placementConstraints?.length ? { placementConstraints: s.placementConstraints } : {}), ...(s.placementStrategy?.length ? { placementStrategy: s.placementStrategy } : {}) }} />}
          {(s.loadBalancers ?? []).length > 0 && (
            <Table
              header={<Header variant="h2">Load balancing</Header>}
              items={s.loadBalancers ?? []}
              columnDefinitions={[
                { id: "tg", header: "Target group", cell: (l) => (l.targetGroupArn ? <Link href={href("target-groups", elbNameOf(l.targetGroupArn))}>{elbNameOf(l.targetGroupArn)}</Link> : l.loadBalancerName ?? "-") },
                { id: "container", header: "Container", cell: (l) => `${l.containerName ?? "-"}:${l.containerPort ?? "-"}` },
              ]}
            />
          )}
          <ServiceScaling cluster={cluster} service={service} />
          <TaskList cluster={cluster} tasks={tasks.data} loading={tasks.loading} error={tasks.error} title="Tasks" />
          <ListTable
            testId="events"
            title="Events"
            items={s.events ?? []}
            pageSize={10}
            text={(e) => e.message ?? ""}
            columns={[
              { id: "at", header: "Time", cell: (e) => when(e.createdAt) },
              { id: "msg", header: "Message", cell: (e) => e.message },
            ]}
          />
        </SpaceBetween>
      )}
      <Modal
        visible={deleting}
        onDismiss={() => setDeleting(false)}
        header={`Delete ${service}?`}
        footer={
          <Box float="right">
            <SpaceBetween direction="horizontal" size="xs">
              <Button variant="link" onClick={() => setDeleting(false)}>Cancel</Button>
              <Button variant="primary" onClick={() => { setDeleting(false); void remove(); }}>Delete</Button>
            </SpaceBetween>
          </Box>
        }
      >
        The service is deleted with force: its tasks are stopped.
      </Modal>
    </ContentLayout>
  );
}

function UpdateForm(p: { cluster: string; service: string; taskDefinition: string; desiredCount: number; onDone(): void }) {
  const api = useApi();
  const notify = useNotify();
  const [td, setTd] = useState(p.taskDefinition);
  const [count, setCount] = useState(String(p.desiredCount));
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await api.ecs.send(new UpdateServiceCommand({ cluster: p.cluster, service: p.service, taskDefinition: td, desiredCount: Number(count), forceNewDeployment: force }));
      const primary = out.service?.deployments?.find((d) => d.status === "PRIMARY");
      notify("success", `Updated ${p.service}: ${shortArn(out.service?.taskDefinition)}, desired ${out.service?.desiredCount}${primary ? `, deployment ${primary.id}` : ""}.`);
      p.onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form
      header={<Header variant="h2">Update service</Header>}
      errorText={error}
      actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Button variant="link" onClick={p.onDone}>Cancel</Button>
          <Button variant="primary" loading={busy} onClick={() => void submit()} data-testid="update-submit">Update</Button>
        </SpaceBetween>
      }
    >
      <Container>
        <ColumnLayout columns={3}>
          <FormField label="Task definition" description="family, family:revision or ARN"><Input value={td} onChange={(e) => setTd(e.detail.value)} ariaLabel="Task definition" /></FormField>
          <FormField label="Desired tasks"><Input value={count} type="number" onChange={(e) => setCount(e.detail.value)} ariaLabel="Desired tasks" /></FormField>
          <FormField label="Deployment"><Checkbox checked={force} onChange={(e) => setForce(e.detail.checked)}>Force new deployment</Checkbox></FormField>
        </ColumnLayout>
      </Container>
    </Form>
  );
}
