import { TIMELINE_PATH, type TimelineAnswer } from "../contracts/internal-routes.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { EcsApiError } from "../contracts/wharf-client.js";
import type { PhaseName, PhaseSummary, TaskTimeline } from "../core/service/timeline.js";
import { CliError, connect, CONNECTION_HELP, CONNECTION_OPTIONS, type Connection, shortId } from "./connection.js";

export const DEPLOYMENTS_HELP = `wharf deployments — a service's deployments, and where one deployment's time went

Usage: wharf deployments --service NAME [--cluster NAME] [DEPLOYMENT] [options]

  --cluster NAME      the cluster (default "default")
  --service NAME      the service
  DEPLOYMENT          a deployment id (the digits, or ecs-svc/…) or service deployment ARN: show its
                      timeline — per phase (placement, pull, start, health, draining old tasks) the
                      time spent, and the phase that cost most
  --latest            the timeline of the newest deployment
  --tasks             with a timeline: one line per task, times from the deployment's start
  --json              print what the API answered, as JSON
${HELP_LINE}
Without DEPLOYMENT it lists the service's deployments, newest first (ListServiceDeployments).
The timeline comes from Wharf's ${TIMELINE_PATH} (SigV4-signed, like the ECS API).

${CONNECTION_HELP}`;

/** Phase names as shown, with what each covers. */
const PHASE_LABEL: Record<PhaseName, string> = {
  placement: "placement",
  pull: "pull",
  start: "start",
  health: "health",
  draining: "draining old tasks",
};
const PHASE_MEANING: Record<PhaseName, string> = {
  placement: "scheduler asked → task placed → agent picks it up",
  pull: "image pull (or cached-image fallback)",
  start: "create and start containers → RUNNING",
  health: "RUNNING → counted healthy",
  draining: "stop asked → old task STOPPED",
};

export const DEPLOYMENTS_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  service: { type: "string" },
  latest: { type: "boolean" },
  tasks: { type: "boolean" },
  json: { type: "boolean" },
  ...HELP_OPTION,
} as const;

export async function deploymentsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("deployments", argv, DEPLOYMENTS_OPTIONS, true);
  if (values.help) {
    process.stdout.write(DEPLOYMENTS_HELP);
    return 0;
  }
  if (!values.service) throw new CliError("--service is required (wharf deployments --help)");
  if (positionals.length > 1) throw new CliError(`one deployment at a time, got ${positionals.length}`);
  const cluster = values.cluster ?? "default";
  const conn = connect(values);
  const timeline = (arn: string) => fetchTimeline(conn, arn);
  const out = (s: string) => process.stdout.write(s);
  try {
    const list = await listDeployments(conn, cluster, values.service);
    const wanted = positionals[0] ?? (values.latest ? list[0]?.serviceDeploymentArn : undefined);
    if (wanted === undefined) {
      const answers = await Promise.all(list.map((d) => timeline(d.serviceDeploymentArn)));
      if (values.json) out(`${JSON.stringify(answers, null, 2)}\n`);
      else out(renderList(answers, values.service));
      return 0;
    }
    const arn = wanted.startsWith("arn:") ? wanted : list.find((d) => shortId(d.serviceDeploymentArn) === wanted.replace(/^ecs-svc\//, ""))?.serviceDeploymentArn;
    if (!arn) throw new CliError(`service ${values.service} has no deployment '${wanted}' (wharf deployments --service ${values.service} lists them)`);
    const answer = await timeline(arn);
    out(values.json ? `${JSON.stringify(answer, null, 2)}\n` : renderTimeline(answer, values.tasks ?? false));
    return 0;
  } catch (err) {
    if (err instanceof EcsApiError) throw new CliError(err.message);
    throw err;
  }
}

async function listDeployments(conn: Connection, cluster: string, service: string): Promise<{ serviceDeploymentArn: string }[]> {
  const all: { serviceDeploymentArn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await conn.ecs<{ serviceDeployments?: { serviceDeploymentArn: string }[]; nextToken?: string }>("ListServiceDeployments", {
      cluster,
      service,
      maxResults: 100,
      ...(nextToken ? { nextToken } : {}),
    });
    all.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

/** One deployment's timeline from Wharf's internal route (signed like the ECS API). */
export const fetchTimeline = (api: { internal<T>(path: string, body: Record<string, unknown>): Promise<T> }, serviceDeploymentArn: string) =>
  api.internal<TimelineAnswer>(TIMELINE_PATH, { serviceDeploymentArn });

// ---------------------------------------------------------------------------------------------
// Rendering.

const secs = (ms: number | undefined) => (ms === undefined || !Number.isFinite(ms) ? "–" : ms >= 100_000 ? `${(ms / 1000).toFixed(0)}s` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`);
const iso = (epochSec: unknown) => (typeof epochSec === "number" ? new Date(epochSec * 1000).toISOString().replace(/\.\d+Z$/, "Z") : "–");
const td = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);
const table = (rows: string[][]) => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd()).join("\n") + "\n";
};

interface SD {
  status?: string;
  createdAt?: number;
  startedAt?: number;
  finishedAt?: number;
  stoppedAt?: number;
  statusReason?: string;
  lifecycleStage?: string;
  targetServiceRevision?: { requestedTaskCount?: number; runningTaskCount?: number; pendingTaskCount?: number };
  deploymentCircuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
  rollback?: { reason?: string; serviceRevisionArn?: string };
}

function renderList(answers: TimelineAnswer[], service: string): string {
  if (answers.length === 0) return `service ${service} has no deployments\n`;
  const rows = [["DEPLOYMENT", "STATUS", "TASK DEFINITION", "CREATED", "TOOK", "RUNNING/REQUESTED", "COST MOST"]];
  for (const a of answers) {
    const sd = a.serviceDeployment as SD;
    const t = sd.targetServiceRevision ?? {};
    const top = a.summary.phases.find((p) => p.phase === a.summary.costliest);
    rows.push([
      a.deploymentId.replace("ecs-svc/", ""),
      sd.status ?? "",
      td(a.taskDefinition),
      iso(sd.createdAt),
      secs(a.summary.totalMs) + (sd.finishedAt ?? sd.stoppedAt ? "" : "…"),
      `${t.runningTaskCount ?? 0}/${t.requestedTaskCount ?? 0}`,
      top ? `${PHASE_LABEL[top.phase]} ${secs(top.wallMs)}` : "–",
    ]);
  }
  return table(rows);
}

export function renderTimeline(a: TimelineAnswer, withTasks: boolean): string {
  const sd = a.serviceDeployment as SD;
  const lines: string[] = [];
  const t = sd.targetServiceRevision ?? {};
  const cb = sd.deploymentCircuitBreaker;
  lines.push(`Deployment ${a.deploymentId} — ${sd.status}${sd.lifecycleStage ? ` (${sd.lifecycleStage})` : ""}, task definition ${td(a.taskDefinition)}`);
  lines.push(`  created ${iso(sd.createdAt)}, took ${secs(a.summary.totalMs)}${sd.finishedAt ?? sd.stoppedAt ? "" : " so far"}`);
  lines.push(`  target: ${t.runningTaskCount ?? 0} running, ${t.pendingTaskCount ?? 0} pending of ${t.requestedTaskCount ?? 0} requested; ${a.summary.healthyTasks} became healthy, ${a.summary.failedTasks} failed`);
  if (cb) lines.push(`  circuit breaker: ${cb.status} (${cb.failureCount ?? 0} of ${cb.threshold ?? "?"} failures)`);
  if (sd.statusReason) lines.push(`  reason: ${sd.statusReason}`);
  if (sd.rollback) lines.push(`  rollback: ${sd.rollback.reason ?? ""}`);
  lines.push("");
  const rows = [["PHASE", "WALL", "TASKS", "MEDIAN", "MAX", "COVERS"]];
  for (const p of a.summary.phases) {
    rows.push([PHASE_LABEL[p.phase], secs(p.wallMs) + (p.ongoing ? "…" : ""), String(p.tasks), secs(p.medianMs), secs(p.maxMs), PHASE_MEANING[p.phase]]);
  }
  lines.push(table(rows).trimEnd());
  lines.push("");
  lines.push(costliestLine(a));
  if (!a.timeline) lines.push("(only the summary is kept for older deployments; the newest ones keep every task)");
  else if (a.timeline.droppedTasks) lines.push(`(the ${a.timeline.droppedTasks} oldest entries were dropped; the timeline keeps the last 100 tasks)`);
  if (withTasks && a.timeline) {
    lines.push("");
    const start = ((sd.startedAt ?? sd.createdAt ?? 0) as number) * 1000;
    const rel = (ms: number | undefined) => (ms === undefined ? "–" : `+${secs(ms - start)}`);
    const rowsT = [["TASK", "INSTANCE", "ASKED", "PLACED", "PULL", "PULLED", "RUNNING", "HEALTHY", "STOPPED"]];
    for (const x of a.timeline.tasks as TaskTimeline[]) {
      rowsT.push([shortId(x.taskArn), x.containerInstanceArn ? shortId(x.containerInstanceArn).slice(0, 12) : "–", rel(x.requestedAt), rel(x.createdAt), rel(x.pullStartedAt), rel(x.pullStoppedAt), rel(x.startedAt), rel(x.healthyAt), x.stoppedAt !== undefined ? `${rel(x.stoppedAt)} ${x.stopCode ?? ""}`.trim() : "–"]);
    }
    lines.push(table(rowsT).trimEnd());
    if (a.timeline.stopped.length > 0) {
      lines.push("");
      const rowsS = [["STOPPED TASK", "OF DEPLOYMENT", "WHY", "ASKED", "STOPPED"]];
      for (const s of a.timeline.stopped) rowsS.push([shortId(s.taskArn), s.deploymentId.replace("ecs-svc/", ""), s.cause, rel(s.stopRequestedAt), rel(s.stoppedAt)]);
      lines.push(table(rowsS).trimEnd());
    }
  }
  return `${lines.join("\n")}\n`;
}

/** "The phase that cost most: …" with what to do about it. */
function costliestLine(a: TimelineAnswer): string {
  const top = a.summary.phases.find((p) => p.phase === a.summary.costliest) as PhaseSummary | undefined;
  if (!top) return "No phase took measurable time yet.";
  const total = a.summary.totalMs;
  const share = total && total > 0 ? ` of ${secs(total)} (${Math.round((100 * top.wallMs) / total)}% of the deployment)` : "";
  const head = `The phase that cost most: ${PHASE_LABEL[top.phase]}, ${secs(top.wallMs)}${share}.`;
  const byRule = (a.timeline?.tasks ?? []).some((x) => x.healthBy === "HEALTHY_AFTER");
  const hint: Record<PhaseName, string> = {
    placement: "Tasks waited to be placed or picked up: check the instances' free CPU/memory/ports and that their agents are connected.",
    pull: "Image pulls dominate: pre-pull the image on the instances, or use smaller images.",
    start: "Container start dominates: look at dependsOn waits, volume set-up and the containers' own start-up.",
    health: byRule
      ? `Tasks without a container health check count as healthy ${secs(a.healthyAfterMs)} after RUNNING (ECS's rule); a healthCheck in the task definition lets them count as soon as it passes.`
      : "Tasks waited for their container health checks to pass: a shorter interval or startPeriod makes them count sooner.",
    draining: "Old tasks took long to stop: their containers ignore SIGTERM until stopTimeout; handle SIGTERM or lower stopTimeout.",
  };
  return `${head}\n${hint[top.phase]}`;
}
