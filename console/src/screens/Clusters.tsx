import { DescribeClustersCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import StatusIndicator from "@cloudscape-design/components/status-indicator";
import { useApi } from "../api-context";
import { ListTable } from "../ListTable";
import { usePoll } from "../poll";
import { href } from "../router";

/** Clusters with their counts (ListClusters + DescribeClusters). */
export function Clusters() {
  const api = useApi();
  const p = usePoll(async () => {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api.ecs.send(new ListClustersCommand({ nextToken }));
      arns.push(...(page.clusterArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const out = [];
    for (let i = 0; i < arns.length; i += 100) {
      out.push(...((await api.ecs.send(new DescribeClustersCommand({ clusters: arns.slice(i, i + 100) }))).clusters ?? []));
    }
    return out;
  }, []);
  return (
    <ContentLayout header={<Header variant="h1">Clusters</Header>}>
      <ListTable
        testId="clusters"
        title="Clusters"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(c) => c.clusterName ?? ""}
        columns={[
          { id: "name", header: "Cluster", cell: (c) => <Link href={href("clusters", c.clusterName!)}>{c.clusterName}</Link> },
          { id: "status", header: "Status", cell: (c) => <StatusIndicator type={c.status === "ACTIVE" ? "success" : "stopped"}>{c.status}</StatusIndicator> },
          { id: "services", header: "Services", cell: (c) => c.activeServicesCount ?? 0 },
          { id: "running", header: "Running tasks", cell: (c) => c.runningTasksCount ?? 0 },
          { id: "pending", header: "Pending tasks", cell: (c) => c.pendingTasksCount ?? 0 },
          { id: "instances", header: "Container instances", cell: (c) => c.registeredContainerInstancesCount ?? 0 },
        ]}
      />
    </ContentLayout>
  );
}
