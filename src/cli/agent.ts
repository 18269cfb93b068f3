import { join } from "node:path";
import { pullBehavior, startAgent } from "../agent/agent.js";
import { startSimulatedAgents } from "../agent/simulate/index.js";
import { DATA_DIR_DEFAULT_TEXT, DEFAULT_HOST, DEFAULT_PORT, resolveDataDir } from "../config.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { createLogger, LOG_LEVEL_HELP, LOG_LEVEL_OPTION, lineLog, resolveLogLevel } from "./logging.js";

export const AGENT_HELP = `wharf agent — run containers for a Wharf cluster on this host's Docker Engine

Usage: wharf agent [options]

  --endpoint URL          Wharf API endpoint (default http://${DEFAULT_HOST}:${DEFAULT_PORT})
  --cluster NAME          cluster to join (default "default")
  --fargate               join Wharf's managed Fargate capacity instead of a cluster: the host runs
                          FARGATE and FARGATE_SPOT tasks of every cluster and is listed by none
  --host-ip IP            address host ports bind to (default: every address); give each agent
                          on one machine its own, e.g. 127.0.0.2, to simulate several hosts
  --data-dir DIR          where the agent keeps its registration (default <server data dir>/agents/
                          <cluster>-<host-ip>; the server data dir is WHARF_DATA_DIR, else
                          ${DATA_DIR_DEFAULT_TEXT})
  --capacity-provider NAME  join this EC2-style capacity provider's group (CreateCapacityProvider;
                          tasks of strategies naming it are placed here)
  --attribute k=v         custom attribute (repeatable; "k" alone for a name without value)
  --docker-host URL       Docker Engine address (default $DOCKER_HOST or unix:///var/run/docker.sock)
  --instance-type T       reported as ecs.instance-type
  --availability-zone AZ  reported as ecs.availability-zone
  --gpu ID                a GPU id this host offers (repeatable)
  --reserved-memory MIB   memory held back from tasks
  --region REGION         signing region (default us-east-1)
  --server-data-dir DIR   read credentials from the server's data dir
  --eni-limit N           awsvpc tasks this host holds (default: by --instance-type, else 2)
  --eni-trunk-limit N     awsvpc tasks with the awsvpcTrunking account setting (default: by type, else 10)
  --pause-image IMAGE     image of awsvpc pause containers (default: a cached busybox-like image)
  --image-pull-behavior B default | always | once | prefer-cached, as ECS_IMAGE_PULL_BEHAVIOR
                          (default: that variable, else default)
  --no-warm-starts        do not pull the images of the cluster's services ahead of their tasks
                          (warm starts: the control plane's poll answers list them)
  --no-metadata-endpoint  do not serve the task metadata endpoint (ECS_CONTAINER_METADATA_URI_V4)
  --no-security-groups    do not enforce security groups on awsvpc tasks (default: iptables rules, needs root)
${LOG_LEVEL_HELP}${HELP_LINE}
Simulated instances (no Docker; for exercising the control plane at scale):
  --simulate N            register N container instances and run their tasks as virtual containers
                          (PENDING → RUNNING at once, STOPPED when asked); --attribute applies to all
  --cpu UNITS             CPU units per simulated instance (default 4096)
  --memory MIB            memory per simulated instance (default 16384)
  --az-count N            Availability Zones the instances spread over (default 3: <region>a, b, c)
  --instance-types A,B    instance types, cycled so every zone gets each (default m5.xlarge);
                          g*/p* types get GPUs (g4dn.xlarge: 1, g4dn.12xlarge: 4, ...)
  --gpus N                GPUs per simulated instance, whatever the type
  --poll-group N          instances per grouped long poll (default 100)
  --run-delay MS          time a virtual container takes to start (default 0)

Credentials: WHARF_ACCESS_KEY_ID/WHARF_SECRET_ACCESS_KEY, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
else <--server-data-dir or the default data dir>/credentials.json.

Logs: JSON lines on stderr (time, level, component "agent", msg); see docs/operations.md.
`;

/** Parses `--attribute k=v` values into a map (a bare `k` is an attribute without value). */
export function parseAttributes(list: string[] = []): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const item of list) {
    const i = item.indexOf("=");
    const name = i >= 0 ? item.slice(0, i) : item;
    if (!name) throw new Error(`--attribute needs NAME=VALUE, got '${item}'`);
    out[name] = i >= 0 ? item.slice(i + 1) : undefined;
  }
  return out;
}

export const AGENT_OPTIONS = {
  endpoint: { type: "string" },
  cluster: { type: "string" },
  fargate: { type: "boolean" },
  "host-ip": { type: "string" },
  "data-dir": { type: "string" },
  attribute: { type: "string", multiple: true },
  "capacity-provider": { type: "string" },
  "docker-host": { type: "string" },
  "instance-type": { type: "string" },
  "availability-zone": { type: "string" },
  gpu: { type: "string", multiple: true },
  "reserved-memory": { type: "string" },
  region: { type: "string" },
  "server-data-dir": { type: "string" },
  "eni-limit": { type: "string" },
  "eni-trunk-limit": { type: "string" },
  "pause-image": { type: "string" },
  "image-pull-behavior": { type: "string" },
  "no-metadata-endpoint": { type: "boolean" },
  "no-warm-starts": { type: "boolean" },
  "no-security-groups": { type: "boolean" },
  simulate: { type: "string" },
  cpu: { type: "string" },
  memory: { type: "string" },
  "az-count": { type: "string" },
  "instance-types": { type: "string" },
  gpus: { type: "string" },
  "poll-group": { type: "string" },
  "run-delay": { type: "string" },
  ...LOG_LEVEL_OPTION,
  ...HELP_OPTION,
} as const;

/** `wharf agent`: registers this host and runs its tasks until SIGINT/SIGTERM (containers keep running). */
export async function agentCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("agent", argv, AGENT_OPTIONS);
  if (values.help) {
    process.stdout.write(AGENT_HELP);
    return 0;
  }
  const logger = createLogger(resolveLogLevel("agent", values["log-level"]));
  if (values.simulate !== undefined) return simulateCommand(values, lineLog(logger, "agent"));
  if (values.fargate && values.cluster !== undefined) throw new Error("--fargate and --cluster exclude each other: Fargate hosts serve every cluster");
  const cluster = values.fargate ? "fargate" : (values.cluster ?? "default");
  const hostIp = values["host-ip"];
  const dataDir = values["data-dir"] ?? join(resolveDataDir(), "agents", `${cluster}-${hostIp ?? "any"}`);
  const reserved = values["reserved-memory"] === undefined ? undefined : Number(values["reserved-memory"]);
  if (reserved !== undefined && !(Number.isInteger(reserved) && reserved >= 0)) {
    throw new Error(`--reserved-memory must be a whole number of MiB, got '${values["reserved-memory"]}'`);
  }
  const count = (flag: "eni-limit" | "eni-trunk-limit"): number | undefined => {
    const v = values[flag];
    if (v === undefined) return undefined;
    if (!/^\d{1,6}$/.test(v)) throw new Error(`--${flag} must be a whole number, got '${v}'`);
    return Number(v);
  };
  const log = lineLog(logger, "agent");
  const agent = await startAgent({
    endpoint: values.endpoint ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`,
    cluster,
    dataDir,
    hostIp,
    attributes: {
      ...parseAttributes(values.attribute),
      ...(values["capacity-provider"] ? { "wharf.capacity-provider": values["capacity-provider"] } : {}),
    },
    dockerHost: values["docker-host"],
    instanceType: values["instance-type"],
    availabilityZone: values["availability-zone"],
    gpus: values.gpu,
    reservedMemoryMiB: reserved,
    region: values.region,
    serverDataDir: values["server-data-dir"] ?? resolveDataDir(),
    eniLimit: count("eni-limit"),
    eniTrunkLimit: count("eni-trunk-limit"),
    pauseImage: values["pause-image"],
    ...(values["image-pull-behavior"] !== undefined ? { imagePullBehavior: pullBehavior(values["image-pull-behavior"]) } : {}),
    metadataEndpoint: !values["no-metadata-endpoint"],
    warmStarts: !values["no-warm-starts"],
    securityGroups: !values["no-security-groups"],
    fargate: values.fargate === true,
    log,
  });
  const joined = values.fargate ? "managed Fargate capacity" : `cluster ${cluster}`;
  process.stdout.write(`Wharf agent is up: ${agent.containerInstanceArn} (${joined}, data in ${dataDir})\n`);
  await Promise.race([
    agent.done,
    new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    }),
  ]);
  await agent.close();
  return 0;
}

/** A whole number flag, or undefined when absent. */
function wholeNumber(values: Record<string, unknown>, flag: string, min = 0): number | undefined {
  const v = values[flag];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d{1,9}$/.test(v) || Number(v) < min) throw new Error(`--${flag} must be a whole number ≥ ${min}, got '${String(v)}'`);
  return Number(v);
}

/** `wharf agent --simulate N`: registers N virtual instances and runs their tasks until SIGINT/SIGTERM. */
async function simulateCommand(
  values: Record<string, string | string[] | boolean | undefined>,
  agentLog: (line: Record<string, unknown>) => void,
): Promise<number> {
  const cluster = (values.cluster as string | undefined) ?? "default";
  const log = (line: Record<string, unknown>) => agentLog({ simulated: true, ...line });
  const started = Date.now();
  const fleet = await startSimulatedAgents({
    endpoint: (values.endpoint as string | undefined) ?? `http://${DEFAULT_HOST}:${DEFAULT_PORT}`,
    cluster,
    count: wholeNumber(values, "simulate", 1)!,
    cpu: wholeNumber(values, "cpu"),
    memory: wholeNumber(values, "memory"),
    azCount: wholeNumber(values, "az-count", 1),
    instanceTypes: (values["instance-types"] as string | undefined)?.split(",").map((t) => t.trim()).filter(Boolean),
    gpus: wholeNumber(values, "gpus"),
    attributes: parseAttributes(values.attribute as string[] | undefined),
    region: values.region as string | undefined,
    serverDataDir: (values["server-data-dir"] as string | undefined) ?? resolveDataDir(),
    pollGroupSize: wholeNumber(values, "poll-group", 1),
    runDelayMs: wholeNumber(values, "run-delay"),
    log,
  });
  process.stdout.write(
    `Wharf simulated agents are up: ${fleet.instances.length} instances in cluster ${cluster} (registered in ${Date.now() - started} ms)\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await fleet.close();
  return 0;
}
