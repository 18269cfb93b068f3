import type { Task } from "@aws-sdk/client-ecs";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { EcsApiError } from "../contracts/wharf-client.js";
import { parseDuration } from "../core/duration.js";
import { LogPoller, type PolledEvent } from "./log-poller.js";
import {
  CliError,
  connect,
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  type Connection,
  containerLogs,
  type ContainerLogs,
  describeTasks,
  taskDefinitions,
} from "./connection.js";

/** Follow-mode poll period (FilterLogEvents), well under the 1 s target for a new line to show. */
export const FOLLOW_POLL_MS = 250;

export const LOGS_HELP = `wharf logs — print (and follow) a task's or a service's container output, like 'aws logs tail'

Usage: wharf logs --cluster CLUSTER (--task ID | --service NAME) [options]

  --cluster NAME      the cluster (default "default")
  --task ID           a task id or ARN
  --service NAME      every task of a service (running and recently stopped; new ones are picked up)
  --container NAME    only this container
  --follow, -f        keep printing new lines (polls every ${FOLLOW_POLL_MS} ms) until Ctrl-C
  --since DURATION    how far back to start, e.g. 30s, 10m, 2h (default 10m), or an ISO time
  --timestamps        prefix each line with its time
${HELP_LINE}
Lines come from CloudWatch Logs: containers whose task definition uses the awslogs driver
(stream <prefix>/<container>/<task-id>) or FireLens with Name cloudwatch_logs. With more than one
stream, each line starts with its stream's name.

${CONNECTION_HELP}`;

const SERVICE_REFRESH_MS = 5_000;

function parseSince(text: string, now: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw new CliError(`--since '${text}' is not a time: use e.g. 10m, 2h or 2026-01-01T10:00:00Z`);
    return t;
  }
  try {
    return now - parseDuration(text);
  } catch {
    throw new CliError(`--since '${text}' is not a duration: use e.g. 30s, 10m, 2h, 1d or an ISO time`);
  }
}

export const LOGS_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  task: { type: "string" },
  service: { type: "string" },
  container: { type: "string" },
  follow: { type: "boolean", short: "f" },
  since: { type: "string" },
  timestamps: { type: "boolean" },
  ...HELP_OPTION,
} as const;

export async function logsCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("logs", argv, LOGS_OPTIONS);
  if (values.help) {
    process.stdout.write(LOGS_HELP);
    return 0;
  }
  if ((values.task === undefined) === (values.service === undefined)) {
    throw new CliError("give exactly one of --task ID or --service NAME (see wharf logs --help)");
  }
  const conn = connect(values);
  const cluster = values.cluster ?? "default";
  const startTime = parseSince(values.since ?? "10m", Date.now());
  const tail = new Tail(conn, cluster, { task: values.task, service: values.service, container: values.container });
  const out = (events: PolledEvent[]) => {
    if (events.length === 0) return;
    const prefix = tail.poller.streamCount > 1;
    let text = "";
    for (const e of events) {
      if (values.timestamps) text += `${new Date(e.timestamp).toISOString()} `;
      if (prefix) text += `${e.logStreamName} `;
      text += `${e.message}\n`;
    }
    process.stdout.write(text);
  };
  await tail.refresh(true);
  out(await tail.poller.poll(startTime));
  if (!values.follow) return 0;
  let stop = false;
  const onSignal = () => (stop = true);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let refreshedAt = Date.now();
  while (!stop) {
    await new Promise((r) => setTimeout(r, FOLLOW_POLL_MS));
    if (stop) break;
    if (values.service !== undefined && Date.now() - refreshedAt > SERVICE_REFRESH_MS) {
      await tail.refresh(false).catch(() => undefined);
      refreshedAt = Date.now();
    }
    out(await tail.poller.poll(startTime));
  }
  return 0;
}

/** The task(s) whose streams are read. */
class Tail {
  readonly poller: LogPoller;
  private readonly describeTd;
  private readonly warned = new Set<string>();

  constructor(
    private readonly conn: Connection,
    private readonly cluster: string,
    private readonly what: { task?: string; service?: string; container?: string },
  ) {
    this.describeTd = taskDefinitions(conn);
    this.poller = new LogPoller(conn);
  }

  /** Finds the task(s) and their containers' streams; the first time, explains what it cannot read. */
  async refresh(first: boolean): Promise<void> {
    const tasks = await this.tasks(first);
    const found: ContainerLogs[] = [];
    for (const t of tasks) {
      const td = await this.describeTd(t.taskDefinitionArn!);
      found.push(...containerLogs(t, td, this.conn.region, this.what.container));
    }
    for (const c of found) {
      if ("missing" in c) {
        if (first && !this.warned.has(c.container)) process.stderr.write(`wharf logs: ${c.missing}\n`);
        this.warned.add(c.container);
        continue;
      }
      this.poller.add(c.region, c.group, c.stream);
    }
    if (first && this.poller.streamCount === 0) {
      if (this.what.container !== undefined && found.length === 0) {
        throw new CliError(`no container '${this.what.container}' in the task definition`);
      }
      throw new CliError("nothing to read: no container of the task logs to CloudWatch Logs (see above)");
    }
  }

  private async tasks(first: boolean): Promise<Task[]> {
    if (this.what.task !== undefined) {
      const { tasks } = await describeTasks(this.conn, this.cluster, [this.what.task]).catch((err) => rethrowCluster(err, this.cluster));
      if (tasks.length === 0) {
        throw new CliError(`task '${this.what.task}' is not in cluster '${this.cluster}' (pass --cluster; stopped tasks stay describable for an hour)`);
      }
      return tasks;
    }
    const service = this.what.service!;
    if (first) {
      const d = await this.conn
        .ecs<{ services?: unknown[] }>("DescribeServices", { cluster: this.cluster, services: [service] })
        .catch((err) => rethrowCluster(err, this.cluster));
      if (!d.services?.length) throw new CliError(`service '${service}' is not in cluster '${this.cluster}' (pass --cluster)`);
    }
    const arns: string[] = [];
    for (const desiredStatus of ["RUNNING", "STOPPED"]) {
      let nextToken: string | undefined;
      do {
        const r = await this.conn.ecs<{ taskArns?: string[]; nextToken?: string }>("ListTasks", { cluster: this.cluster, serviceName: service, desiredStatus, nextToken });
        arns.push(...(r.taskArns ?? []));
        nextToken = r.nextToken;
      } while (nextToken);
    }
    if (arns.length === 0) {
      if (first) process.stderr.write(`wharf logs: service '${service}' has no tasks yet\n`);
      return [];
    }
    return (await describeTasks(this.conn, this.cluster, arns)).tasks;
  }
}

function rethrowCluster(err: unknown, cluster: string): never {
  if (err instanceof EcsApiError && err.code === "ClusterNotFoundException") {
    throw new CliError(`cluster '${cluster}' does not exist (pass --cluster; 'aws ecs list-clusters' lists them)`);
  }
  throw err;
}
