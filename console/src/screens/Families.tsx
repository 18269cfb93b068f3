import { ListTaskDefinitionFamiliesCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SegmentedControl from "@cloudscape-design/components/segmented-control";
import { useState } from "react";
import { useApi } from "../api-context";
import { ListTable } from "../ListTable";
import { usePoll } from "../poll";
import { href } from "../router";

/** Task definition families (ListTaskDefinitionFamilies), active or inactive. */
export function Families() {
  const api = useApi();
  const [status, setStatus] = useState<"ACTIVE" | "INACTIVE">("ACTIVE");
  const p = usePoll(async () => {
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await api.ecs.send(new ListTaskDefinitionFamiliesCommand({ status, nextToken }));
      out.push(...(page.families ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }, [status]);
  return (
    <ContentLayout header={<Header variant="h1">Task definitions</Header>}>
      <ListTable
        testId="families"
        title="Task definition families"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(f) => f}
        actions={
          <SegmentedControl
            selectedId={status}
            label="Status"
            onChange={(e) => setStatus(e.detail.selectedId as "ACTIVE" | "INACTIVE")}
            options={[{ id: "ACTIVE", text: "Active" }, { id: "INACTIVE", text: "Inactive" }]}
          />
        }
        columns={[{ id: "family", header: "Family", cell: (f) => <Link href={href("task-definitions", f)}>{f}</Link> }]}
      />
    </ContentLayout>
  );
}

/** A family's revisions, newest first. */
export function Revisions({ family }: { family: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const out: string[] = [];
    for (const status of ["ACTIVE", "INACTIVE"] as const) {
      let nextToken: string | undefined;
      do {
        const page = await api.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status, sort: "DESC", nextToken }));
        out.push(...(page.taskDefinitionArns ?? []).map((a) => `${a} ${status}`));
        nextToken = page.nextToken;
      } while (nextToken);
    }
    return out
      .map((x) => {
        const [arn, status] = x.split(" ");
        return { arn: arn!, status: status!, revision: Number(arn!.slice(arn!.lastIndexOf(":") + 1)), family: arn!.slice(arn!.lastIndexOf("/") + 1, arn!.lastIndexOf(":")) };
      })
      .filter((r) => r.family === family)
      .sort((a, b) => b.revision - a.revision);
  }, [family]);
  return (
    <ContentLayout header={<Header variant="h1" description="Task definition family">{family}</Header>}>
      <ListTable
        testId="revisions"
        title="Revisions"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(r) => `${r.family}:${r.revision} ${r.status}`}
        columns={[
          { id: "rev", header: "Task definition", cell: (r) => <Link href={href("task-definitions", family, r.revision)}>{`${r.family}:${r.revision}`}</Link> },
          { id: "status", header: "Status", cell: (r) => r.status },
        ]}
      />
    </ContentLayout>
  );
}
