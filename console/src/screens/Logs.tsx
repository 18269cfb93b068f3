import { DescribeLogGroupsCommand, DescribeLogStreamsCommand, FilterLogEventsCommand, type FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { ListTable, when } from "../ListTable";
import { usePoll } from "../poll";
import { href } from "../router";
import { LogTail } from "./LogTail";

/** CloudWatch Logs: log groups. */
export function LogGroups() {
  const api = useApi();
  const p = usePoll(async () => {
    const out = [];
    let nextToken: string | undefined;
    do {
      const page = await api.logs.send(new DescribeLogGroupsCommand({ nextToken }));
      out.push(...(page.logGroups ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return out;
  }, [], 5000);
  return (
    <ContentLayout header={<Header variant="h1">Log groups</Header>}>
      <ListTable
        testId="log-groups"
        title="Log groups"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(g) => g.logGroupName ?? ""}
        columns={[
          { id: "name", header: "Log group", cell: (g) => <Link href={href("logs", g.logGroupName!)}>{g.logGroupName}</Link> },
          { id: "retention", header: "Retention", cell: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : "Never expire") },
          { id: "bytes", header: "Stored bytes", cell: (g) => g.storedBytes ?? 0 },
          { id: "created", header: "Created", cell: (g) => when(g.creationTime) },
        ]}
      />
    </ContentLayout>
  );
}

/** A group's streams (latest event first) and a filter over the whole group (FilterLogEvents). */
export function LogStreams({ group }: { group: string }) {
  const api = useApi();
  const p = usePoll(async () => (await api.logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true, limit: 50 }))).logStreams ?? [], [group], 5000);
  return (
    <ContentLayout header={<Header variant="h1" description="Log group">{group}</Header>}>
      <SpaceBetween size="l">
        <ListTable
          testId="log-streams"
          title="Log streams"
          items={p.data}
          loading={p.loading}
          error={p.error}
          text={(s) => s.logStreamName ?? ""}
          columns={[
            { id: "name", header: "Log stream", cell: (s) => <Link href={href("logs", group, s.logStreamName!)}>{s.logStreamName}</Link> },
            { id: "last", header: "Last event", cell: (s) => when(s.lastEventTimestamp) },
          ]}
        />
        <Filter group={group} />
      </SpaceBetween>
    </ContentLayout>
  );
}

function Filter({ group }: { group: string }) {
  const api = useApi();
  const [pattern, setPattern] = useState("");
  const [events, setEvents] = useState<FilteredLogEvent[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const out = await api.logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: pattern, limit: 200 }));
      setEvents(out.events ?? []);
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Container header={<Header variant="h2" description="CloudWatch Logs filter pattern syntax, over every stream of the group.">Filter events</Header>}>
      <form onSubmit={(e) => { e.preventDefault(); void run(); }}>
        <Form errorText={error} actions={<Button formAction="submit" loading={busy}>Filter</Button>}>
          <FormField label="Filter pattern" stretch><Input value={pattern} onChange={(e) => setPattern(e.detail.value)} ariaLabel="Filter pattern" placeholder='e.g. ERROR or "GET /"' /></FormField>
        </Form>
      </form>
      {events && (
        <pre data-testid="filter-results" tabIndex={0} style={{ marginTop: 12, maxHeight: 360, overflow: "auto", fontSize: 13 }}>
          {events.length === 0 ? "(no matching events)" : events.map((e) => `${new Date(e.timestamp ?? 0).toISOString()}  ${e.logStreamName}  ${e.message}`).join("\n")}
        </pre>
      )}
      {!events && <Box color="text-body-secondary">Enter a pattern (empty matches every event) and filter.</Box>}
    </Container>
  );
}

/** One stream's live tail. */
export function LogStream({ group, stream }: { group: string; stream: string }) {
  return (
    <ContentLayout header={<Header variant="h1" description={<Link href={href("logs", group)}>{group}</Link>}>{stream}</Header>}>
      <LogTail group={group} stream={stream} title="Events" />
    </ContentLayout>
  );
}
