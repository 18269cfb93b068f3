import { DEFAULT_REGION } from "../../config.js";
import { convertProject, type ComposePlan } from "../../core/compose/index.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs, UsageError } from "../args.js";
import { CliError, connect, CONNECTION_HELP, CONNECTION_OPTIONS, type Connection } from "../connection.js";
import { LogPoller } from "../log-poller.js";
import { applyPlan, type Say } from "./apply.js";
import { describeServices, findLoadBalancer } from "./aws.js";
import { buildAndPush } from "./build.js";
import { urlLines, waitConverged } from "./converge.js";
import { downPlan } from "./down.js";
import { loadProject, type LoadedProject } from "./load.js";

export const COMPOSE_HELP = `wharf compose — run a compose file on Wharf's ECS, as Docker's ECS integration did

Usage: wharf compose [-f FILE] [-p NAME] COMMAND [options]

Commands:
  up        create or update the project's resources, wait until its services converge, print the URLs
  down      remove everything up made for the project
  ps        the project's services: tasks running and desired, task definition, published ports
  logs      print (and with --follow, follow) the services' output [SERVICE...]
  convert   print the ECS, ELBv2, EC2 and Cloud Map resources the file maps to, as JSON

  --file, -f FILE         the compose file (default compose.yaml, compose.yml, docker-compose.yaml or
                          docker-compose.yml in the working directory)
  --project-name, -p NAME the project name (default COMPOSE_PROJECT_NAME, else the file's name:, else
                          the file's directory)
  --profile NAME          enable a profile's services (repeatable)
  --wait-timeout SECONDS  up: how long to wait for the services to converge (default 600); down: for
                          the tasks to stop
  --detach, -d            up: return once the resources are made, without waiting
  --follow                logs: keep printing new lines
  --volumes, -v           down: also remove the named volumes (not built: refused, see docs/compose.md)
${HELP_LINE}
Each service becomes the task definition <project>-<service> and a FARGATE service in the
cluster <project>; services find each other by their names in the Cloud Map namespace
<project>.local; published ports become one load balancer's listeners and target groups;
named volumes become EFS-style volumes (Wharf's EFS stand-in: a host directory per volume).
What a compose feature cannot mean on ECS is refused with the reason. See docs/compose.md.

${CONNECTION_HELP}`;

export const COMPOSE_OPTIONS = {
  ...CONNECTION_OPTIONS,
  file: { type: "string", short: "f" },
  "project-name": { type: "string", short: "p" },
  profile: { type: "string", multiple: true },
  "wait-timeout": { type: "string" },
  detach: { type: "boolean", short: "d" },
  follow: { type: "boolean" },
  volumes: { type: "boolean", short: "v" },
  ...HELP_OPTION,
} as const;

const SUBCOMMANDS = ["up", "down", "ps", "logs", "convert"];

const say: Say = (line) => process.stderr.write(`${line}\n`);

export async function composeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("compose", argv, COMPOSE_OPTIONS, true);
  if (values.help || positionals.length === 0) {
    process.stdout.write(COMPOSE_HELP);
    return values.help ? 0 : 2;
  }
  const [sub, ...rest] = positionals;
  if (!SUBCOMMANDS.includes(sub!)) throw new UsageError(`unknown compose command '${sub}' (one of ${SUBCOMMANDS.join(", ")}). Run 'wharf compose --help'.`);
  if (sub !== "logs" && rest.length) throw new UsageError(`unexpected argument '${rest[0]}'. Run 'wharf compose --help'.`);
  const timeoutSec = values["wait-timeout"] === undefined ? 600 : Number(values["wait-timeout"]);
  if (!(timeoutSec > 0)) throw new UsageError(`--wait-timeout must be a number of seconds, got '${values["wait-timeout"]}'`);
  const loaded = loadProject({
    ...(values.file ? { file: values.file } : {}),
    ...(values["project-name"] ? { projectName: values["project-name"] } : {}),
    ...(values.profile ? { profiles: values.profile } : {}),
  });
  const region = values.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION;
  const planOf = (builtImages?: Record<string, string>) =>
    convertProject(loaded.project, { region, envFiles: loaded.envFiles, ...(builtImages ? { builtImages } : {}) });
  if (sub === "convert") {
    process.stdout.write(`${JSON.stringify(planOf(), null, 2)}\n`);
    return 0;
  }
  const conn = connect(values);
  switch (sub) {
    case "up":
      return up(conn, loaded, planOf, { detach: !!values.detach, timeoutMs: timeoutSec * 1000 });
    case "down": {
      const plan = planOf();
      if (values.volumes && plan.volumes.length) throw new CliError(volumesNotRemovable(plan));
      await downPlan(conn, plan, say, timeoutSec * 1000);
      for (const v of plan.volumes) say(`named volume ${v.name} kept (${v.fileSystemId}; 'docker compose down' keeps named volumes too)`);
      say(`project ${loaded.project.name} removed`);
      return 0;
    }
    case "ps":
      return ps(conn, planOf());
    default:
      return logs(conn, planOf(), rest, !!values.follow);
  }
}

/** Why `down --volumes` is refused: named volumes are Wharf's EFS stand-in directories, which no API removes. */
export function volumesNotRemovable(plan: ComposePlan): string {
  const where = plan.volumes.map((v) => `${v.name}: ${v.fileSystemId}`).join(", ");
  return `down --volumes is not built: named volumes are EFS-style file systems (${where}), and Wharf has no EFS API to delete one; their files are under each agent's EFS directory (WHARF_EFS_ROOT, else <agent data dir>/efs/<fs-id>): run 'down' without --volumes and remove those directories by hand`;
}

export async function up(
  conn: Connection,
  loaded: LoadedProject,
  planOf: (builtImages?: Record<string, string>) => ComposePlan,
  opts: { detach: boolean; timeoutMs: number },
): Promise<number> {
  const draft = planOf();
  const unresolved = draft.secrets.filter((x) => x.create || !x.ref.startsWith("arn:"));
  if (unresolved.length) {
    throw new CliError(`secrets ${unresolved.map((x) => x.name).join(", ")}: not built yet: up does not yet put file:/environment: secrets into Secrets Manager nor look a secret up by name; use external: true with name: the secret's ARN`);
  }
  const builds = draft.services.filter((s) => s.build).map((s) => ({ service: s.name, ...s.build! }));
  const built = await buildAndPush(conn, loaded.dir, builds, say);
  const plan = planOf(built);
  say(`project ${plan.project}: ${plan.services.length} service${plan.services.length === 1 ? "" : "s"} in cluster ${plan.cluster.name}`);
  const applied = await applyPlan(conn, plan, say);
  if (!opts.detach) {
    const ok = await waitConverged(conn, plan, say, opts.timeoutMs);
    if (!ok) return 1;
  }
  const urls = urlLines(plan, applied.loadBalancer);
  for (const l of urls) process.stdout.write(`${l}\n`);
  if (!urls.length) process.stdout.write(`project ${plan.project} is up (no published ports)\n`);
  return 0;
}

async function ps(conn: Connection, plan: ComposePlan): Promise<number> {
  const services = await describeServices(conn, plan.cluster.name, plan.services.map((s) => s.name));
  const lb = plan.loadBalancer ? await findLoadBalancer(conn, plan.loadBalancer.name) : undefined;
  const rows = [["NAME", "TASK DEFINITION", "RUNNING", "DESIRED", "STATUS", "PORTS"]];
  for (const p of plan.services) {
    const s = services.find((x) => x.serviceName === p.name && x.status !== "INACTIVE");
    const ports = plan.targetGroups
      .filter((t) => t.service === p.name)
      .map((t) => `${lb ? `${lb.dnsName}:` : ""}${t.listenerPort}->${t.containerPort}/tcp`)
      .join(", ");
    const rollout = s?.deployments?.find((d) => d.status === "PRIMARY")?.rolloutState;
    rows.push([p.name, s ? s.taskDefinition.slice(s.taskDefinition.lastIndexOf("/") + 1) : "-", s ? String(s.runningCount) : "-", s ? String(s.desiredCount) : "-", s ? `${s.status}${rollout ? ` (${rollout})` : ""}` : "not created", ports]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()}\n`);
  return 0;
}

async function logs(conn: Connection, plan: ComposePlan, only: string[], follow: boolean): Promise<number> {
  for (const o of only) if (!plan.services.some((s) => s.name === o)) throw new CliError(`no service '${o}' in the project (services: ${plan.services.map((s) => s.name).join(", ")})`);
  const wanted = only.length ? only : plan.services.map((s) => s.name);
  const width = Math.max(...wanted.map((w) => w.length));
  const poller = new LogPoller(conn);
  const known = new Set<string>();
  const discover = async () => {
    for (const svc of wanted) {
      const prefix = `${plan.project}/${svc}/`;
      try {
        const r = await conn.logs<{ logStreams?: { logStreamName: string }[] }>(plan.region, "DescribeLogStreams", { logGroupName: plan.logGroup.name, logStreamNamePrefix: prefix });
        for (const s of r.logStreams ?? []) {
          if (known.has(s.logStreamName)) continue;
          known.add(s.logStreamName);
          poller.add(plan.region, plan.logGroup.name, s.logStreamName);
        }
      } catch (err) {
        if ((err as { code?: string }).code !== "ResourceNotFoundException") throw err;
      }
    }
  };
  let stop = false;
  const onSigint = () => (stop = true);
  process.on("SIGINT", onSigint);
  try {
    do {
      await discover();
      if (poller.streamCount) {
        for (const e of await poller.poll(0)) {
          const svc = e.logStreamName.split("/")[1] ?? "";
          process.stdout.write(`${svc.padEnd(width)} | ${e.message}\n`);
        }
      }
      if (follow && !stop) await new Promise((r) => setTimeout(r, 1000));
    } while (follow && !stop);
  } finally {
    process.off("SIGINT", onSigint);
  }
  return 0;
}
