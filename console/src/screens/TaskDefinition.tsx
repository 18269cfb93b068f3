import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput, RunTaskCommand, type RunTaskCommandOutput } from "@aws-sdk/client-ecs";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import Textarea from "@cloudscape-design/components/textarea";
import { useState } from "react";
import { cliInputOf, downloadNames, parseRevisionInput } from "../../../src/core/console/cli-input";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { downloadText } from "../download";
import { shortArn } from "../ListTable";
import { useNotify } from "../notify";
import { usePoll } from "../poll";
import { go, href } from "../router";
import { Explain } from "./Explain";

const pretty = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

/** One revision: overview, containers, the JSON view with its downloads and copy, new revision, run task. */
export function TaskDefinition({ family, revision }: { family: string; revision: number }) {
  const api = useApi();
  const notify = useNotify();
  const [mode, setMode] = useState<"json" | "edit" | "run">("json");
  const p = usePoll(
    () => api.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:${revision}`, include: ["TAGS"] })),
    [family, revision],
    10_000,
  );
  const td = p.data?.taskDefinition;
  const tags = p.data?.tags ?? [];
  const json = td ? { ...td, ...(tags.length ? { tags } : {}) } : undefined;
  const names = downloadNames(family, revision);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(pretty(json));
      notify("success", "The task definition JSON is copied to the clipboard.");
    } catch (e) {
      notify("error", `Copy failed: ${errorText(e)}`);
    }
  };
  return (
    <ContentLayout
      header={
        <Header
          variant="h1"
          description={td ? `${td.status} · ${td.taskDefinitionArn}` : p.error}
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button onClick={() => setMode("edit")} disabled={!td}>Create new revision</Button>
              <Button variant="primary" onClick={() => setMode("run")} disabled={!td}>Run task</Button>
            </SpaceBetween>
          }
        >
          {`${family}:${revision}`}
        </Header>
      }
    >
      {td && (
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Overview</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <Field label="Network mode" value={td.networkMode} />
              <Field label="CPU / memory" value={`${td.cpu ?? "-"} / ${td.memory ?? "-"}`} />
              <Field label="Compatibilities" value={(td.compatibilities ?? []).join(", ")} />
              <Field label="Requires compatibilities" value={(td.requiresCompatibilities ?? []).join(", ")} />
              <Field label="Task role" value={td.taskRoleArn} />
              <Field label="Execution role" value={td.executionRoleArn} />
              <Field label="Registered" value={td.registeredAt ? new Date(td.registeredAt).toLocaleString() : "-"} />
              <Field label="Registered by" value={td.registeredBy} />
            </ColumnLayout>
          </Container>
          <Table
            header={<Header variant="h2">Containers</Header>}
            items={td.containerDefinitions ?? []}
            columnDefinitions={[
              { id: "name", header: "Name", cell: (c) => c.name },
              { id: "image", header: "Image", cell: (c) => c.image },
              { id: "essential", header: "Essential", cell: (c) => (c.essential === false ? "No" : "Yes") },
              { id: "cpu", header: "CPU", cell: (c) => c.cpu ?? 0 },
              { id: "mem", header: "Memory (hard/soft)", cell: (c) => `${c.memory ?? "-"} / ${c.memoryReservation ?? "-"}` },
              { id: "ports", header: "Port mappings", cell: (c) => (c.portMappings ?? []).map((m) => `${m.containerPort}/${m.protocol ?? "tcp"}${m.hostPort !== undefined ? ` → ${m.hostPort}` : ""}`).join(", ") || "-" },
              { id: "logs", header: "Log driver", cell: (c) => c.logConfiguration?.logDriver ?? "-" },
            ]}
          />
          {mode === "edit" && <NewRevision initial={pretty(cliInputOf(td as Record<string, unknown>, tags))} onCancel={() => setMode("json")} />}
          {mode === "run" && <RunTask taskDefinition={`${family}:${revision}`} networkMode={td.networkMode} onCancel={() => setMode("json")} />}
          <Container
            header={
              <Header
                variant="h2"
                actions={
                  <SpaceBetween direction="horizontal" size="xs">
                    <Button iconName="download" onClick={() => downloadText(names.json, pretty(json))}>Download JSON</Button>
                    <Button iconName="download" onClick={() => downloadText(names.cliInput, pretty(cliInputOf(td as Record<string, unknown>, tags)))}>Download AWS CLI input</Button>
                    <Button iconName="copy" onClick={() => void copy()}>Copy to clipboard</Button>
                  </SpaceBetween>
                }
                description="The AWS CLI input is the --cli-input-json form of aws ecs register-task-definition."
              >
                JSON
              </Header>
            }
          >
            <pre data-testid="td-json" style={{ margin: 0, maxHeight: 480, overflow: "auto", fontSize: 13 }} tabIndex={0}>{pretty(json)}</pre>
          </Container>
        </SpaceBetween>
      )}
      {!td && p.error && <Alert type="error">{p.error}</Alert>}
    </ContentLayout>
  );
}

function Field({ label, value }: { label: string; value: string | undefined }) {
  return (
    <div>
      <Box variant="awsui-key-label">{label}</Box>
      <div style={{ overflowWrap: "anywhere" }}>{value || "-"}</div>
    </div>
  );
}

/** Edited JSON → RegisterTaskDefinition; the parse error or the API's validation error shows inline. */
function NewRevision({ initial, onCancel }: { initial: string; onCancel(): void }) {
  const api = useApi();
  const notify = useNotify();
  const [text, setText] = useState(initial);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const parsed = parseRevisionInput(text);
    if ("error" in parsed) return setError(parsed.error);
    setBusy(true);
    try {
      const out = await api.ecs.send(new RegisterTaskDefinitionCommand(parsed.input as unknown as RegisterTaskDefinitionCommandInput));
      const td = out.taskDefinition!;
      notify("success", `Registered ${td.family}:${td.revision}.`);
      go("task-definitions", td.family!, td.revision!);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form
      header={<Header variant="h2">Create new revision</Header>}
      actions={
        <SpaceBetween direction="horizontal" size="xs">
          <Button variant="link" onClick={onCancel}>Cancel</Button>
          <Button variant="primary" loading={busy} onClick={() => void submit()}>Create</Button>
        </SpaceBetween>
      }
    >
      <Container>
        <FormField label="Task definition JSON" stretch errorText={error} description="The register-task-definition input; describe-only fields are ignored.">
          <Textarea value={text} rows={24} spellcheck={false} onChange={(e) => { setText(e.detail.value); setError(undefined); }} ariaLabel="Task definition JSON" />
        </FormField>
      </Container>
    </Form>
  );
}

/** RunTask from this revision; its failures lead straight to the placement explanation. */
function RunTask({ taskDefinition, networkMode, onCancel }: { taskDefinition: string; networkMode: string | undefined; onCancel(): void }) {
  const api = useApi();
  const notify = useNotify();
  const [cluster, setCluster] = useState("default");
  const [count, setCount] = useState("1");
  const [subnets, setSubnets] = useState("");
  const [groups, setGroups] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [result, setResult] = useState<{ cluster: string; out: RunTaskCommandOutput }>();
  const list = (s: string) => s.split(/[\s,]+/).filter(Boolean);
  const networkConfiguration = networkMode === "awsvpc" && list(subnets).length > 0
    ? { awsvpcConfiguration: { subnets: list(subnets), ...(list(groups).length ? { securityGroups: list(groups) } : {}) } }
    : undefined;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const out = await api.ecs.send(new RunTaskCommand({ cluster, taskDefinition, count: Number(count), ...(networkConfiguration ? { networkConfiguration } : {}) }));
      setResult({ cluster, out });
      const started = out.tasks?.length ?? 0;
      notify(started > 0 ? "success" : "error", `Started ${started} task${started === 1 ? "" : "s"}${out.failures?.length ? `; ${out.failures.length} failure(s): ${out.failures.map((f) => f.reason).join(", ")}` : ""}.`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <SpaceBetween size="m">
      <Form
        header={<Header variant="h2">Run task</Header>}
        errorText={error}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onCancel}>Cancel</Button>
            <Button variant="primary" loading={busy} onClick={() => void submit()} data-testid="run-task-submit">Run</Button>
          </SpaceBetween>
        }
      >
        <Container>
          <ColumnLayout columns={2}>
            <FormField label="Cluster"><Input value={cluster} onChange={(e) => setCluster(e.detail.value)} ariaLabel="Cluster" /></FormField>
            <FormField label="Number of tasks"><Input value={count} type="number" onChange={(e) => setCount(e.detail.value)} ariaLabel="Number of tasks" /></FormField>
            {networkMode === "awsvpc" && (
              <>
                <FormField label="Subnets" description="awsvpc: subnet IDs, comma separated"><Input value={subnets} onChange={(e) => setSubnets(e.detail.value)} ariaLabel="Subnets" /></FormField>
                <FormField label="Security groups" description="optional"><Input value={groups} onChange={(e) => setGroups(e.detail.value)} ariaLabel="Security groups" /></FormField>
              </>
            )}
          </ColumnLayout>
        </Container>
      </Form>
      {result && (
        <Container header={<Header variant="h2">Started</Header>}>
          <SpaceBetween size="xs">
            {(result.out.tasks ?? []).map((t) => (
              <Link key={t.taskArn} href={href("clusters", result.cluster, "tasks", shortArn(t.taskArn))}>{`Task ${shortArn(t.taskArn)}`}</Link>
            ))}
            {(result.out.failures ?? []).map((f, i) => (
              <Alert key={i} type="error" header={`Failure: ${f.reason}`}>{f.arn ? `${shortArn(f.arn)}${f.detail ? `: ${f.detail}` : ""}` : f.detail}</Alert>
            ))}
          </SpaceBetween>
        </Container>
      )}
      {result && (result.out.failures?.length ?? 0) > 0 && (
        <Explain auto input={{ cluster: result.cluster, taskDefinition, count: Number(count), ...(networkConfiguration ? { networkConfiguration } : {}) }} />
      )}
    </SpaceBetween>
  );
}
