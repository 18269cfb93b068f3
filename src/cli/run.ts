import type { ContainerDefinition, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { EcsApiError } from "../contracts/wharf-client.js";
import { LogPoller } from "./log-poller.js";
import {
  CliError,
  connect,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  type Connection,
  containerLogs,
  describeTasks,
  shortId,
} from "./connection.js";

export const RUN_HELP = `wharf run — run a task once, stream its output, exit with its exit code (CI jobs, migrations)

Usage: wharf run TASKDEF [options] [-- COMMAND...]

  TASKDEF              family, family:revision or task definition ARN
  --cluster NAME       the cluster (default "default")
  --count N            how many tasks (default 1)
  --wait               wait for the task(s) to stop and exit with the essential container's exit code
  --logs               stream the essential container's output while waiting (implies --wait)
  --timeout SECONDS    stop the task(s) after this long (implies --wait); exits 124, like timeout(1)
  --container NAME     the container the overrides and --logs apply to (default: the first essential one)
  --command JSON       command override, a JSON array (["sh","-c","make test"]); or give it after --
  --env NAME=VALUE     environment override (repeatable)
  --started-by TEXT    startedBy of the task(s) (default wharf-run)
  --group TEXT         task group
${HELP_LINE}
Without --wait/--logs/--timeout it prints the task ARN(s) and returns at once. Progress
(PROVISIONING → PENDING → RUNNING → STOPPED) goes to stderr, the container's output to stdout.
Output is read from CloudWatch Logs, so the container must use the awslogs driver (or FireLens
to cloudwatch_logs). Ctrl-C stops the task(s) (a second Ctrl-C leaves without waiting).

Exit codes: the essential container's exit code; 124 after --timeout; 1 when a task could not
start (its stoppedReason is printed) or on any other error; 130 when interrupted.

${CONNECTION_HELP}`;

export const TIMEOUT_EXIT_CODE = 124;
const POLL_MS = 250;
/** After StopTask, how long to wait for STOPPED before giving up (the container's stopTimeout is at most 120 s). */
const STOP_WAIT_MS = 180_000;

export const RUN_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  count: { type: "string" },
  wait: { type: "boolean" },
  logs: { type: "boolean" },
  timeout: { type: "string" },
  container: { type: "string" },
  command: { type: "string" },
  env: { type: "string", multiple: true },
  "started-by": { type: "string" },
  group: { type: "string" },
  ...HELP_OPTION,
} as const;

export async function runCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("run", argv, RUN_OPTIONS, true);
  if (values.help) {
    process.stdout.write(RUN_HELP);
    return 0;
  }
  const dash = argv.indexOf("--");
  const trailing = dash >= 0 ? argv.slice(dash + 1) : [];
  const named = dash >= 0 ? positionals.slice(0, positionals.length - trailing.length) : positionals;
  if (named.length !== 1) throw new CliError("give one task definition: wharf run FAMILY[:REVISION] [options] (see wharf run --help)");
  const taskDefinition = named[0]!;
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 10) throw new CliError(`--count must be 1 to 10 (RunTask's limit), got '${values.count}'`);
  const timeoutSec = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeoutSec !== undefined && !(timeoutSec > 0)) throw new CliError(`--timeout must be a number of seconds, got '${values.timeout}'`);
  const command = trailing.length ? trailing : values.command === undefined ? undefined : parseCommand(values.command);
  const cluster = values.cluster ?? "default";
  const conn = connect(values);

  const td = await conn
    .ecs<{ taskDefinition: TaskDefinition }>("DescribeTaskDefinition", { taskDefinition })
    .then((o) => o.taskDefinition)
    .catch((err) => {
      if (err instanceof EcsApiError && err.code === "ClientException") {
        throw new CliError(`task definition '${taskDefinition}' not found: register it first (aws ecs register-task-definition --cli-input-json file://taskdef.json)`);
      }
      throw err;
    });
  const defs = (td.containerDefinitions ?? []) as ContainerDefinition[];
  const target = values.container ?? defs.find((d) => d.essential !== false)?.name ?? defs[0]?.name;
  if (!defs.some((d) => d.name === target)) {
    throw new CliError(`no container '${target}' in ${td.family}:${td.revision} (containers: ${defs.map((d) => d.name).join(", ")})`);
  }
  const override: Record<string, unknown> = { name: target };
  if (command) override.command = command;
  if (values.env?.length) override.environment = values.env.map(parseEnv);

  const started = Date.now();
  const res = await conn
    .ecs<{ tasks?: Task[]; failures?: { arn?: string; reason?: string; detail?: string }[] }>("RunTask", {
      cluster,
      taskDefinition: td.taskDefinitionArn,
      count,
      startedBy: values["started-by"] ?? "wharf-run",
      ...(values.group ? { group: values.group } : {}),
      ...(command || values.env?.length ? { overrides: { containerOverrides: [override] } } : {}),
    })
    .catch((err) => {
      if (err instanceof EcsApiError && err.code === "ClusterNotFoundException") {
        throw new CliError(`cluster '${cluster}' does not exist: create it (aws ecs create-cluster --cluster-name ${cluster}) or pass --cluster`);
      }
      throw err;
    });
  const tasks = res.tasks ?? [];
  for (const f of res.failures ?? []) process.stderr.write(`wharf run: could not place a task: ${f.reason}${f.detail ? ` (${f.detail})` : ""}\n`);
  if (tasks.length === 0) {
    const noHosts = (res.failures ?? []).some((f) => /MISSING|no container instances/i.test(`${f.reason} ${f.detail ?? ""}`));
    throw new CliError(
      noHosts
        ? `cluster '${cluster}' has no container instance to run on: start an agent ('wharf up' runs one in cluster default, or 'wharf agent --cluster ${cluster}')`
        : "no task started: see the placement failures above (resources, ports or attributes the cluster's instances lack)",
    );
  }
  const arns = tasks.map((t) => t.taskArn!);
  if (!(values.wait || values.logs || timeoutSec !== undefined)) {
    for (const a of arns) process.stdout.write(`${a}\n`);
    return 0;
  }
  return watch(conn, { cluster, arns, td, target: target!, logs: !!values.logs, timeoutSec, started });
}

function parseCommand(text: string): string[] {
  if (text.trim().startsWith("[")) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      throw new CliError(`--command is not a JSON array: ${text}`);
    }
    if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new CliError("--command must be a JSON array of strings");
    return v as string[];
  }
  return text.split(/\s+/).filter(Boolean);
}

function parseEnv(kv: string): { name: string; value: string } {
  const i = kv.indexOf("=");
  if (i <= 0) throw new CliError(`--env needs NAME=VALUE, got '${kv}'`);
  return { name: kv.slice(0, i), value: kv.slice(i + 1) };
}

interface WatchPlan {
  cluster: string;
  arns: string[];
  td: TaskDefinition;
  target: string;
  logs: boolean;
  timeoutSec?: number;
  started: number;
}

/** Polls the tasks until STOPPED: progress on stderr, output on stdout, StopTask at the timeout. */
async function watch(conn: Connection, p: WatchPlan): Promise<number> {
  const status = new Map<string, string>();
  const streams = new Map<string, LogFollower>();
  const many = p.arns.length > 1;
  let timedOut = false;
  let interrupted = 0;
  let stopDeadline: number | undefined;
  const stopAll = async (reason: string) => {
    stopDeadline ??= Date.now() + STOP_WAIT_MS;
    for (const arn of p.arns) {
      if (status.get(arn) === "STOPPED") continue;
      await conn.ecs("StopTask", { cluster: p.cluster, task: arn, reason }).catch(() => undefined);
    }
  };
  const onSigint = () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write("wharf run: stopping the task (Ctrl-C again to leave without waiting)\n");
    void stopAll("Interrupted (wharf run)");
  };
  process.on("SIGINT", onSigint);
  try {
    let tasks: Task[] = [];
    for (;;) {
      tasks = (await describeTasks(conn, p.cluster, p.arns)).tasks;
      for (const t of tasks) {
        const s = t.lastStatus ?? "PROVISIONING";
        if (status.get(t.taskArn!) !== s) {
          // A short task can start and stop between two polls: show that it ran.
          if (s === "STOPPED" && t.startedAt && status.get(t.taskArn!) !== "RUNNING") {
            process.stderr.write(`wharf run: task ${shortId(t.taskArn!)} RUNNING\n`);
          }
          status.set(t.taskArn!, s);
          process.stderr.write(`wharf run: task ${shortId(t.taskArn!)} ${s}${s === "STOPPED" ? stoppedNote(t) : ""}\n`);
        }
        if (p.logs && !streams.has(t.taskArn!)) {
          const where = containerLogs(t, p.td, conn.region, p.target)[0];
          if (where && !("missing" in where)) streams.set(t.taskArn!, new LogFollower(conn, where, many ? `${shortId(t.taskArn!)} ` : "", p.started - 60_000));
          else if (where && "missing" in where && (s === "RUNNING" || s === "STOPPED" || !where.missing.includes("not started"))) {
            streams.set(t.taskArn!, new LogFollower(conn, undefined, "", 0));
            process.stderr.write(`wharf run: ${where.missing}; waiting for the task to stop\n`);
          }
        }
      }
      for (const f of streams.values()) await f.poll();
      const allStopped = tasks.length === p.arns.length && tasks.every((t) => t.lastStatus === "STOPPED");
      if (allStopped) break;
      if (p.timeoutSec !== undefined && !timedOut && Date.now() - p.started >= p.timeoutSec * 1000) {
        timedOut = true;
        process.stderr.write(`wharf run: timed out after ${p.timeoutSec} s; stopping the task\n`);
        await stopAll(`Timed out after ${p.timeoutSec} seconds (wharf run --timeout)`);
      }
      if (stopDeadline !== undefined && Date.now() > stopDeadline) {
        process.stderr.write("wharf run: the task did not stop in time; leaving it (aws ecs describe-tasks shows where it is)\n");
        return timedOut ? TIMEOUT_EXIT_CODE : 1;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    // The agent ships a container's last lines before it reports STOPPED: read to the end.
    for (const f of streams.values()) await f.drain();
    if (interrupted) return 130;
    if (timedOut) return TIMEOUT_EXIT_CODE;
    return exitCodeOf(tasks, p.target);
  } finally {
    process.off("SIGINT", onSigint);
  }
}

function stoppedNote(t: Task): string {
  const parts = [t.stoppedReason ? `: ${t.stoppedReason}` : ""];
  for (const c of t.containers ?? []) {
    if (c.exitCode !== undefined) parts.push(`${c.name} exited ${c.exitCode}`);
    else if (c.reason) parts.push(`${c.name}: ${c.reason}`);
  }
  return parts.filter(Boolean).join("; ").replace(/^; /, "");
}

/** The target container's exit code; the first non-zero one with several tasks; 1 when it never ran. */
function exitCodeOf(tasks: Task[], target: string): number {
  let code = 0;
  for (const t of tasks) {
    const c = t.containers?.find((x) => x.name === target);
    const exit = c?.exitCode;
    if (exit === undefined) {
      process.stderr.write(`wharf run: container '${target}' of task ${shortId(t.taskArn!)} did not run to an exit code${t.stoppedReason ? ` (${t.stoppedReason})` : ""}\n`);
      code ||= 1;
    } else if (exit !== 0) code ||= exit;
  }
  return code;
}

/** One container's stream, each line once (see log-poller.ts for why not GetLogEvents tokens). */
class LogFollower {
  private readonly poller: LogPoller;
  constructor(
    conn: Connection,
    where: { region: string; group: string; stream: string } | undefined,
    private readonly prefix: string,
    /** Lines are stamped when written, after RunTask (a margin for clock differences). */
    private readonly since: number,
  ) {
    this.poller = new LogPoller(conn);
    if (where) this.poller.add(where.region, where.group, where.stream);
  }

  async poll(): Promise<void> {
    if (this.poller.streamCount === 0) return;
    const events = await this.poller.poll(this.since);
    if (events.length) process.stdout.write(events.map((e) => `${this.prefix}${e.message}\n`).join(""));
  }

  /** After STOPPED: the agent shipped the last lines before it reported, so one more poll reads them. */
  drain(): Promise<void> {
    return this.poll();
  }
}
