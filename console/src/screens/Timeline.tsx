import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import type { TimelineAnswer } from "../../../src/contracts/internal-routes";
import type { TaskTimeline } from "../../../src/core/service/timeline";
import { shortArn } from "../ListTable";
import { Status } from "./status";

const COLORS: Record<string, string> = { placement: "#8d6605", pull: "#0972d3", start: "#037f0c", health: "#7d3bb8", draining: "#d91515" };
const secs = (ms: number | undefined): string => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** One task's phases as [phase, from, to] (to = now while it lasts). */
function segments(t: TaskTimeline, now: number): [string, number, number][] {
  const out: [string, number, number][] = [];
  if (t.requestedAt !== undefined) out.push(["placement", t.requestedAt, t.createdAt]);
  const pullFrom = t.pullStartedAt ?? t.createdAt;
  if (t.pullStartedAt !== undefined) out.push(["pull", t.pullStartedAt, t.pullStoppedAt ?? t.stoppedAt ?? now]);
  const startFrom = t.pullStoppedAt ?? pullFrom;
  out.push(["start", startFrom, t.startedAt ?? t.stoppedAt ?? now]);
  if (t.startedAt !== undefined) out.push(["health", t.startedAt, t.healthyAt ?? t.stoppedAt ?? now]);
  return out.filter(([, a, b]) => b >= a);
}

/** A service deployment's timeline (Wharf's per-phase timings, `/_wharf/service-deployment-timeline`) as a chart. */
export function Timeline({ answer }: { answer: TimelineAnswer }) {
  const sd = answer.serviceDeployment as { status?: string; startedAt?: number; finishedAt?: number };
  const tasks = answer.timeline?.tasks ?? [];
  const start = Math.min(...tasks.map((t) => t.requestedAt ?? t.createdAt), (sd.startedAt ?? answer.now / 1000) * 1000);
  const end = Math.max(start + 1, ...tasks.flatMap((t) => segments(t, answer.now).map((s) => s[2])));
  const W = 1000;
  const x = (v: number) => ((v - start) / (end - start)) * W;
  return (
    <div data-testid="timeline">
      <Container
        header={
          <Header variant="h2" description={`${answer.deploymentId} · ${shortArn(answer.taskDefinition)} · total ${secs(answer.summary.totalMs)}${answer.summary.costliest ? ` · most time in ${answer.summary.costliest}` : ""}`}>
            Deployment timeline <span data-testid="timeline-status"><Status value={sd.status} /></span>
          </Header>
        }
      >
        <SpaceBetween size="m">
          {tasks.length === 0 ? (
            <Box color="text-body-secondary">{answer.timeline ? "No task was launched by this deployment yet." : "The per-task timeline was compacted; the phase summary remains."}</Box>
          ) : (
            <svg viewBox={`0 0 ${W + 160} ${tasks.length * 22 + 24}`} width="100%" role="img" aria-label="Deployment timeline chart">
              {tasks.map((t, i) => (
                <g key={t.taskArn} transform={`translate(0 ${i * 22})`}>
                  <text x={0} y={15} fontSize={12} fill="currentColor">{shortArn(t.taskArn).slice(0, 12)}</text>
                  {segments(t, answer.now).map(([phase, a, b]) => (
                    <rect key={phase} x={150 + x(a)} y={4} width={Math.max(2, x(b) - x(a))} height={14} fill={COLORS[phase]}>
                      <title>{`${phase}: ${secs(b - a)}`}</title>
                    </rect>
                  ))}
                </g>
              ))}
              <text x={150} y={tasks.length * 22 + 16} fontSize={11} fill="currentColor">0 s</text>
              <text x={150 + W} y={tasks.length * 22 + 16} fontSize={11} textAnchor="end" fill="currentColor">{secs(end - start)}</text>
            </svg>
          )}
          <Box variant="small">
            {Object.entries(COLORS).map(([p, c]) => (
              <span key={p} style={{ marginRight: 12 }}><span style={{ display: "inline-block", width: 10, height: 10, background: c, marginRight: 4 }} />{p}</span>
            ))}
          </Box>
          <Table
            variant="embedded"
            items={answer.summary.phases}
            columnDefinitions={[
              { id: "phase", header: "Phase", cell: (p) => p.phase },
              { id: "wall", header: "Wall clock", cell: (p) => `${secs(p.wallMs)}${p.ongoing ? " (ongoing)" : ""}` },
              { id: "tasks", header: "Tasks", cell: (p) => p.tasks },
              { id: "median", header: "Median", cell: (p) => secs(p.medianMs) },
              { id: "max", header: "Max", cell: (p) => secs(p.maxMs) },
            ]}
          />
          <Box variant="small">{`${answer.summary.healthyTasks} task(s) healthy, ${answer.summary.failedTasks} stopped before healthy. Without a health check a task counts as healthy after running ${secs(answer.healthyAfterMs)}.`}</Box>
        </SpaceBetween>
      </Container>
    </div>
  );
}
