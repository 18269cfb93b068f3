import {
  type ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Service,
  type Task,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import Button from "@cloudscape-design/components/button";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import Tabs from "@cloudscape-design/components/tabs";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { ListTable, shortArn, when } from "../ListTable";
import { useNotify } from "../notify";
import { usePoll } from "../poll";
import { go, href } from "../router";
import { Status } from "./status";

/** A cluster: its services, tasks and container instances, one tab each (the tab is in the URL). */
export function Cluster({ cluster, tab }: { cluster: string; tab: string | undefined }) {
  return (
    <ContentLayout header={<Header variant="h1" description="Cluster">{cluster}</Header>}>
      <Tabs
        activeTabId={tab ?? "services"}
        onChange={(e) => go("clusters", cluster, e.detail.activeTabId)}
        tabs={[
          { id: "services", label: "Services", content: <Services cluster={cluster} /> },
          { id: "tasks", label: "Tasks", content: <Tasks cluster={cluster} /> },
          { id: "instances", label: "Container instances", content: <Instances cluster={cluster} /> },
        ]}
      />
    </ContentLayout>
  );
}

function Services({ cluster }: { cluster: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api.ecs.send(new ListServicesCommand({ cluster, nextToken }));
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const out: Service[] = [];
    for (let i = 0; i < arns.length; i += 10) {
      out.push(...((await api.ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }))).services ?? []));
    }
    return out;
  }, [cluster]);
  return (
    <ListTable
      testId="services"
      title="Services"
      items={p.data}
      loading={p.loading}
      error={p.error}
      text={(s) => `${s.serviceName} ${s.taskDefinition}`}
      columns={[
        { id: "name", header: "Service", cell: (s) => <Link href={href("clusters", cluster, "services", s.serviceName!)}>{s.serviceName}</Link> },
        { id: "status", header: "Status", cell: (s) => <Status value={s.status} /> },
        { id: "td", header: "Task definition", cell: (s) => shortArn(s.taskDefinition) },
        { id: "tasks", header: "Tasks (running / desired)", cell: (s) => `${s.runningCount ?? 0} / ${s.desiredCount ?? 0}` },
        { id: "pending", header: "Pending", cell: (s) => s.pendingCount ?? 0 },
        { id: "deployments", header: "Deployments", cell: (s) => s.deployments?.length ?? 0 },
      ]}
    />
  );
}

/** Lists and describes a cluster's tasks (running and stopped). */
export async function clusterTasks(api: ReturnType<typeof useApi>, cluster: string, extra: { serviceName?: string } = {}): Promise<Task[]> {
  const arns: string[] = [];
  for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
    let nextToken: string | undefined;
    do {
      const page = await api.ecs.send(new ListTasksCommand({ cluster, desiredStatus, nextToken, ...extra }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  }
  const out: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    out.push(...((await api.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
  }
  return out.sort((a, b) => Number(b.createdAt ?? 0) - Number(a.createdAt ?? 0));
}

export function TaskList({ cluster, tasks, loading, error, title = "Tasks" }: { cluster: string; tasks: Task[] | undefined; loading: boolean; error: string | undefined; title?: string }) {
  return (
    <ListTable
      testId="tasks"
      title={title}
      items={tasks}
      loading={loading}
      error={error}
      text={(t) => `${t.taskArn} ${t.taskDefinitionArn} ${t.lastStatus} ${t.group}`}
      columns={[
        { id: "id", header: "Task", cell: (t) => <Link href={href("clusters", cluster, "tasks", shortArn(t.taskArn))}>{shortArn(t.taskArn)}</Link> },
        { id: "last", header: "Last status", cell: (t) => <Status value={t.lastStatus} /> },
        { id: "desired", header: "Desired status", cell: (t) => t.desiredStatus },
        { id: "td", header: "Task definition", cell: (t) => shortArn(t.taskDefinitionArn) },
        { id: "group", header: "Group", cell: (t) => t.group ?? "-" },
        { id: "health", header: "Health", cell: (t) => t.healthStatus ?? "-" },
        { id: "created", header: "Created", cell: (t) => when(t.createdAt) },
      ]}
    />
  );
}

function Tasks({ cluster }: { cluster: string }) {
  const api = useApi();
  const p = usePoll(() => clusterTasks(api, cluster), [cluster]);
  return <TaskList cluster={cluster} tasks={p.data} loading={p.loading} error={p.error} />;
}

const resource = (ci: ContainerInstance, list: "registeredResources" | "remainingResources", name: string): number =>
  ci[list]?.find((r) => r.name === name)?.integerValue ?? 0;

function Instances({ cluster }: { cluster: string }) {
  const api = useApi();
  const notify = useNotify();
  const p = usePoll(async () => {
    const arns = (await api.ecs.send(new ListContainerInstancesCommand({ cluster }))).containerInstanceArns ?? [];
    if (arns.length === 0) return [];
    return (await api.ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns }))).containerInstances ?? [];
  }, [cluster]);
  const setState = async (ci: ContainerInstance, status: "DRAINING" | "ACTIVE") => {
    try {
      await api.ecs.send(new UpdateContainerInstancesStateCommand({ cluster, containerInstances: [ci.containerInstanceArn!], status }));
      notify("success", `Container instance ${shortArn(ci.containerInstanceArn)} is now ${status}.`);
      p.refresh();
    } catch (e) {
      notify("error", errorText(e));
    }
  };
  return (
    <ListTable
      testId="instances"
      title="Container instances"
      items={p.data}
      loading={p.loading}
      error={p.error}
      text={(ci) => `${ci.containerInstanceArn} ${ci.ec2InstanceId} ${ci.status} ${(ci.attributes ?? []).map((a) => `${a.name}=${a.value ?? ""}`).join(" ")}`}
      columns={[
        { id: "id", header: "Container instance", cell: (ci) => shortArn(ci.containerInstanceArn) },
        { id: "ec2", header: "Instance ID", cell: (ci) => ci.ec2InstanceId ?? "-" },
        { id: "status", header: "Status", cell: (ci) => <Status value={ci.status} /> },
        { id: "agent", header: "Agent connected", cell: (ci) => (ci.agentConnected ? "Yes" : "No") },
        { id: "tasks", header: "Running tasks", cell: (ci) => ci.runningTasksCount ?? 0 },
        { id: "cpu", header: "CPU used / registered", cell: (ci) => `${resource(ci, "registeredResources", "CPU") - resource(ci, "remainingResources", "CPU")} / ${resource(ci, "registeredResources", "CPU")}` },
        { id: "mem", header: "Memory (MiB) used / registered", cell: (ci) => `${resource(ci, "registeredResources", "MEMORY") - resource(ci, "remainingResources", "MEMORY")} / ${resource(ci, "registeredResources", "MEMORY")}` },
        { id: "attrs", header: "Attributes", cell: (ci) => `${ci.attributes?.length ?? 0} (${(ci.attributes ?? []).filter((a) => a.name?.startsWith("ecs.")).map((a) => `${a.name}=${a.value}`).join(", ")})` },
        {
          id: "actions",
          header: "Actions",
          cell: (ci) =>
            ci.status === "DRAINING" ? (
              <Button onClick={() => void setState(ci, "ACTIVE")}>Activate</Button>
            ) : (
              <Button onClick={() => void setState(ci, "DRAINING")}>Drain</Button>
            ),
        },
      ]}
    />
  );
}
