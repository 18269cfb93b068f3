import { DescribeTaskDefinitionCommand, DescribeTasksCommand, StopTaskCommand, type Task as EcsTask } from "@aws-sdk/client-ecs";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useState } from "react";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { shortArn, when } from "../ListTable";
import { useNotify } from "../notify";
import { usePoll } from "../poll";
import { href } from "../router";
import { Explain } from "./Explain";
import { LogTail } from "./LogTail";
import { Status } from "./status";

/** A task: status, containers (exit codes, health, reasons, ports, addresses), live log tail, stop. */
export function Task({ cluster, task }: { cluster: string; task: string }) {
  const api = useApi();
  const notify = useNotify();
  const [stopping, setStopping] = useState(false);
  const p = usePoll(async () => {
    const out = await api.ecs.send(new DescribeTasksCommand({ cluster, tasks: [task], include: ["TAGS"] }));
    const t = out.tasks?.[0];
    if (!t) throw new Error(out.failures?.[0] ? `${out.failures[0].reason}: ${out.failures[0].arn}` : "The task was not found.");
    return t;
  }, [cluster, task]);
  const t = p.data;
  const td = usePoll(async () => (t ? (await api.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: t.taskDefinitionArn! }))).taskDefinition : undefined), [t?.taskDefinitionArn], 60_000);
  const stop = async () => {
    setStopping(true);
    try {
      await api.ecs.send(new StopTaskCommand({ cluster, task, reason: "Stopped from the Wharf console" }));
      notify("success", `Task ${task} is stopping.`);
      p.refresh();
    } catch (e) {
      notify("error", errorText(e));
    } finally {
      setStopping(false);
    }
  };
  const logs = (td.data?.containerDefinitions ?? [])
    .filter((c) => c.logConfiguration?.logDriver === "awslogs" && c.logConfiguration.options?.["awslogs-group"])
    .map((c) => {
      const o = c.logConfiguration!.options!;
      const prefix = o["awslogs-stream-prefix"];
      return { container: c.name!, group: o["awslogs-group"]!, stream: prefix ? `${prefix}/${c.name}/${task}` : undefined };
    });
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={t ? `${shortArn(t.taskDefinitionArn)} · ${t.group ?? ""}` : p.error}
          actions={<Button onClick={() => void stop()} loading={stopping} disabled={!t || t.desiredStatus === "STOPPED"}>Stop</Button>}
        >
          {`Task ${task}`}
        </Header>
      }
    >
      {!t && p.error && <Alert type="error">{p.error}</Alert>}
      {t && (
        <SpaceBetween size="l">
          {t.stoppedReason && <Alert type={t.stopCode === "UserInitiated" ? "info" : "warning"} header={`Stopped: ${t.stopCode ?? ""}`}>{t.stoppedReason}</Alert>}
          <Container header={<Header variant="h2">Status</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">Last status</Box><div data-testid="task-status"><Status value={t.lastStatus} /></div></div>
              <div><Box variant="awsui-key-label">Desired status</Box>{t.desiredStatus}</div>
              <div><Box variant="awsui-key-label">Health</Box><Status value={t.healthStatus} /></div>
              <div><Box variant="awsui-key-label">Launch type</Box>{t.launchType ?? "-"}</div>
              <div><Box variant="awsui-key-label">Container instance</Box>{shortArn(t.containerInstanceArn)}</div>
              <div><Box variant="awsui-key-label">Task definition</Box><Link href={taskDefHref(t)}>{shortArn(t.taskDefinitionArn)}</Link></div>
              <div><Box variant="awsui-key-label">Started</Box>{when(t.startedAt)}</div>
              <div><Box variant="awsui-key-label">Stopped</Box>{when(t.stoppedAt)}</div>
              <div><Box variant="awsui-key-label">Addresses</Box>{addresses(t) || "-"}</div>
            </ColumnLayout>
          </Container>
          <Table
            header={<Header variant="h2">Containers</Header>}
            items={t.containers ?? []}
            columnDefinitions={[
              { id: "name", header: "Name", cell: (c) => c.name },
              { id: "status", header: "Last status", cell: (c) => <Status value={c.lastStatus} /> },
              { id: "exit", header: "Exit code", cell: (c) => c.exitCode ?? "-" },
              { id: "health", header: "Health", cell: (c) => c.healthStatus ?? "-" },
              { id: "reason", header: "Reason", cell: (c) => c.reason ?? "-" },
              { id: "ports", header: "Ports", cell: (c) => (c.networkBindings ?? []).map((b) => `${b.bindIP ?? ""}:${b.hostPort} → ${b.containerPort}/${b.protocol ?? "tcp"}`).join(", ") || "-" },
              { id: "ips", header: "Private IPs", cell: (c) => (c.networkInterfaces ?? []).map((n) => n.privateIpv4Address).join(", ") || "-" },
              { id: "image", header: "Image", cell: (c) => c.image },
            ]}
          />
          {logs.map((l) => (l.stream ? <LogTail key={l.container} group={l.group} stream={l.stream} title={`Logs: ${l.container}`} /> : <Alert key={l.container}>{`${l.container}: awslogs without a stream prefix — see the group ${l.group} under CloudWatch Logs.`}</Alert>))}
          {logs.length === 0 && td.data && <Box color="text-body-secondary">No container of this task uses the awslogs driver, so there is no log to tail.</Box>}
          {t.lastStatus !== "RUNNING" && t.desiredStatus !== "STOPPED" && (
            <Explain input={{ cluster, taskDefinition: t.taskDefinitionArn!, ...(t.group?.startsWith("family:") ? {} : t.group ? { group: t.group } : {}) }} />
          )}
        </SpaceBetween>
      )}
    </ContentLayout>
  );
}

const taskDefHref = (t: EcsTask): string => {
  const arn = t.taskDefinitionArn ?? "";
  const name = arn.slice(arn.lastIndexOf("/") + 1);
  const [family, rev] = name.split(":");
  return href("task-definitions", family ?? "", rev ?? "");
};

function addresses(t: EcsTask): string {
  const out: string[] = [];
  for (const a of t.attachments ?? []) for (const d of a.details ?? []) if (d.name === "privateIPv4Address" && d.value) out.push(d.value);
  return out.join(", ");
}
