import { EcsApiError } from "../contracts/wharf-client.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { EXPLAIN_PATH, type ExplainOutput } from "../contracts/internal-routes.js";
import type { InstanceVerdict, TaskRequirements } from "../core/placement/index.js";
import { CliError, connect, CONNECTION_HELP, CONNECTION_OPTIONS, shortId } from "./connection.js";

export const EXPLAIN_HELP = `wharf explain — where would a task go, and why not elsewhere (nothing is started)

Usage: wharf explain --task-definition FAMILY[:REV] [--cluster NAME] [options]

  --cluster NAME              the cluster (default "default")
  --task-definition TD        family, family:revision or ARN (as RunTask takes it)
  --count N                   tasks to place (1-10, default 1)
  --group NAME                task group (default family:<family>)
  --constraint C              distinctInstance, or memberOf:EXPRESSION (repeatable), e.g.
                              --constraint 'memberOf:attribute:ecs.instance-type =~ g4dn.*'
  --strategy S                binpack:cpu|memory, spread:instanceId|host|attribute:NAME, random
                              (repeatable, applied in order)
  --overrides JSON            RunTask overrides (TaskOverride JSON)
  --network-configuration JSON  RunTask networkConfiguration (awsvpc tasks)
  --launch-type T             EC2 (default) or EXTERNAL
  --all                       list every instance (default: the 20 best, and every rejected one
                              grouped by rule when there are more than 20)
  --json                      print what the API answered, as JSON
${HELP_LINE}
For each instance it shows the rule that rejected it and how short it fell (e.g. "needs 512 CPU
units, 256 remaining"), or its rank and its score under each strategy (lower is better). It asks
Wharf's ${EXPLAIN_PATH} (SigV4-signed, like the ECS API), which decides exactly as RunTask would.

${CONNECTION_HELP}`;

const SHOWN = 20;

export const EXPLAIN_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  "task-definition": { type: "string" },
  count: { type: "string" },
  group: { type: "string" },
  constraint: { type: "string", multiple: true },
  strategy: { type: "string", multiple: true },
  overrides: { type: "string" },
  "network-configuration": { type: "string" },
  "launch-type": { type: "string" },
  all: { type: "boolean" },
  json: { type: "boolean" },
  ...HELP_OPTION,
} as const;

export async function explainCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("explain", argv, EXPLAIN_OPTIONS);
  if (values.help) {
    process.stdout.write(EXPLAIN_HELP);
    return 0;
  }
  if (!values["task-definition"]) throw new CliError("--task-definition is required (wharf explain --help)");
  const input: Record<string, unknown> = {
    cluster: values.cluster ?? "default",
    taskDefinition: values["task-definition"],
    ...(values.count !== undefined ? { count: parseCount(values.count) } : {}),
    ...(values.group !== undefined ? { group: values.group } : {}),
    ...(values.constraint?.length ? { placementConstraints: values.constraint.map(parseConstraint) } : {}),
    ...(values.strategy?.length ? { placementStrategy: values.strategy.map(parseStrategy) } : {}),
    ...(values.overrides !== undefined ? { overrides: parseJson("--overrides", values.overrides) } : {}),
    ...(values["network-configuration"] !== undefined
      ? { networkConfiguration: parseJson("--network-configuration", values["network-configuration"]) }
      : {}),
    ...(values["launch-type"] !== undefined ? { launchType: values["launch-type"] } : {}),
  };
  const conn = connect(values);
  let answer: ExplainOutput;
  try {
    answer = await conn.internal<ExplainOutput>(EXPLAIN_PATH, input);
  } catch (err) {
    if (err instanceof EcsApiError) throw new CliError(`${err.code}: ${err.message.slice(err.code.length + 2)}`);
    throw err;
  }
  process.stdout.write(values.json ? `${JSON.stringify(answer, null, 2)}\n` : renderExplanation(answer, values.all ?? false));
  return 0;
}

function parseCount(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`--count must be a whole number, got '${text}'`);
  return Number(text);
}

/** `distinctInstance` or `memberOf:EXPRESSION`. */
export function parseConstraint(text: string): { type: string; expression?: string } {
  if (text === "distinctInstance") return { type: "distinctInstance" };
  if (text.startsWith("memberOf:")) return { type: "memberOf", expression: text.slice("memberOf:".length) };
  throw new CliError(`--constraint must be distinctInstance or memberOf:EXPRESSION, got '${text}'`);
}

/** `binpack:memory`, `spread:attribute:ecs.availability-zone`, `random`. */
export function parseStrategy(text: string): { type: string; field?: string } {
  const i = text.indexOf(":");
  const type = i < 0 ? text : text.slice(0, i);
  if (type !== "binpack" && type !== "spread" && type !== "random") {
    throw new CliError(`--strategy must be binpack:FIELD, spread:FIELD or random, got '${text}'`);
  }
  return i < 0 ? { type } : { type, field: text.slice(i + 1) };
}

function parseJson(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${flag} must be JSON, got '${text}'`);
  }
}

/** "256 CPU units, 512 MiB, host ports 8080/tcp, 1 GPU, an ENI slot". */
export function describeNeeds(t: TaskRequirements): string {
  const parts = [`${t.cpu} CPU units`, `${t.memory} MiB`];
  const ports = [...(t.ports ?? []).map((p) => `${p}/tcp`), ...(t.portsUdp ?? []).map((p) => `${p}/udp`)];
  if (ports.length) parts.push(`host port${ports.length > 1 ? "s" : ""} ${ports.join(", ")}`);
  if (t.gpus) parts.push(`${t.gpus} GPU${t.gpus > 1 ? "s" : ""}`);
  if (t.eni) parts.push("an ENI (awsvpc) slot");
  return parts.join(", ");
}

/** The readable report: the request, where the tasks would go, then a table of instances. */
export function renderExplanation(a: ExplainOutput, all: boolean): string {
  const lines: string[] = [];
  lines.push(`Task definition ${shortId(a.taskDefinitionArn)} (group ${a.group}): each task needs ${describeNeeds(a.task)}`);
  if (a.requiresAttributes.length) lines.push(`Requires attributes: ${a.requiresAttributes.join(", ")}`);
  if (a.constraints.length) {
    lines.push(`Constraints: ${a.constraints.map((c) => (c.expression ? `${c.type} "${c.expression}"` : c.type)).join("; ")}`);
  }
  lines.push(`Strategy: ${a.strategy.join(" then ")}`);
  const placed = a.placements.length;
  lines.push(`Would place ${placed} of ${a.count} task${a.count > 1 ? "s" : ""} in ${shortId(a.cluster)}${placed ? ":" : "."}`);
  for (const p of a.placements) {
    const gpus = p.gpuIds?.length ? ` (GPUs ${p.gpuIds.join(",")})` : "";
    lines.push(`  task ${p.task + 1} → ${shortId(p.containerInstanceArn)}${p.ec2InstanceId ? ` ${p.ec2InstanceId}` : ""}${gpus}`);
  }
  if (a.unplaced > 0) {
    lines.push(`${a.unplaced} task${a.unplaced > 1 ? "s" : ""} could not be placed; RunTask would report ${a.failures.length} failure${a.failures.length === 1 ? "" : "s"}.`);
  }
  lines.push("");
  lines.push(`For the first task, per instance (scores: lower is better${a.strategy.length ? `, in the order ${a.strategy.join(", ")}` : ""}):`);
  const eligible = a.instances.filter((v) => v.verdict === "eligible");
  const rejected = a.instances.filter((v) => v.verdict === "rejected");
  const many = !all && a.instances.length > SHOWN;
  const shown = many ? eligible.slice(0, SHOWN) : [...eligible, ...rejected];
  lines.push(...table(shown, a.strategy));
  if (many) {
    if (eligible.length > SHOWN) lines.push(`… and ${eligible.length - SHOWN} more eligible instances (--all lists them).`);
    const byRule = new Map<string, InstanceVerdict[]>();
    for (const v of rejected) byRule.set(v.reason ?? "?", [...(byRule.get(v.reason ?? "?") ?? []), v]);
    for (const [rule, vs] of [...byRule].sort((x, y) => y[1].length - x[1].length)) {
      lines.push(`Rejected by ${rule}: ${vs.length} instance${vs.length > 1 ? "s" : ""}, e.g. ${shortId(vs[0]!.arn)}: ${vs[0]!.detail ?? ""}`);
    }
  }
  if (a.instances.length === 0) lines.push("(the cluster has no ACTIVE or DRAINING container instance)");
  return `${lines.join("\n")}\n`;
}

function table(rows: InstanceVerdict[], strategy: string[]): string[] {
  const header = ["CONTAINER INSTANCE", "EC2 INSTANCE", "VERDICT", "WHY / SCORES"];
  const body = rows.map((v) => [
    shortId(v.arn),
    v.ec2InstanceId ?? "-",
    v.verdict === "eligible" ? `rank ${v.rank}` : `rejected: ${v.reason}`,
    v.verdict === "eligible"
      ? (v.scores ?? []).map((s, i) => `${strategy[i] ?? `score${i + 1}`}=${s}`).join("  ") || "(random draw)"
      : (v.detail ?? ""),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...body.map(line)];
}
