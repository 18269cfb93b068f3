import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATA_DIR_DEFAULT_TEXT, defaultDnsPort, defaultHost, defaultPort, resolveDataDir } from "../config.js";
import { parseDuration } from "../core/duration.js";
import { seededRandom } from "../core/placement/index.js";
import { startServer } from "../server.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { envLines } from "./env.js";
import { startLocalAgents } from "./local-agent.js";
import { accessLog, createLogger, LOG_LEVEL_HELP, LOG_LEVEL_OPTION, lineLog, resolveLogLevel } from "./logging.js";

/** `wharf server`'s flags: the control plane's. */
export const SERVER_OPTIONS = {
  "data-dir": { type: "string" },
  store: { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "dns-port": { type: "string" },
  "registry-port": { type: "string" },
  "stopped-task-retention": { type: "string" },
  "spot-interruptions-per-hour": { type: "string" },
  "random-seed": { type: "string" },
  ...LOG_LEVEL_OPTION,
  ...HELP_OPTION,
} as const;

/** `wharf up`'s flags: the control plane's and its local agents'. */
export const UP_OPTIONS = {
  ...SERVER_OPTIONS,
  "no-agent": { type: "boolean" },
  "docker-host": { type: "string" },
  "host-ip": { type: "string" },
} as const;

const CONTROL_PLANE_FLAGS = `  --data-dir DIR          state and credentials (default WHARF_DATA_DIR,
                          else ${DATA_DIR_DEFAULT_TEXT})
  --store STORE           where state lives: sqlite (default, <data-dir>/wharf.db) or a PostgreSQL
                          URL, postgres://user@host:port/db (default WHARF_STORE; docs/postgres.md)
  --host HOST             address to listen on (default WHARF_HOST, else 127.0.0.1)
  --port PORT             port to listen on (default WHARF_PORT, else 4700)
  --dns-port PORT         Wharf's DNS server (UDP and TCP) on --host: load balancers' DNSNames and
                          namespaces, other names forwarded (default WHARF_DNS_PORT, else 4753
                          with the API on 4700, else any free port; the banner prints it)
  --registry-port PORT    the ECR registry's port on 127.0.0.1 (default WHARF_REGISTRY_PORT, else
                          --port + 1; 0 when --port is 0)
  --stopped-task-retention DUR  how long STOPPED tasks stay describable (default 1h; e.g. 24h, 7d)
  --spot-interruptions-per-hour N  chaos: interrupt each FARGATE_SPOT task at this rate (default 0)
  --random-seed S         seed of every chance decision (placement ties, random strategy, Spot draws);
                          default WHARF_RANDOM_SEED, else a fresh one, logged at start to replay a run
${LOG_LEVEL_HELP}`;

const LOGS_TEXT = `Logs: JSON lines on stderr (time, level, component, requestId, msg), one access line per API
call (operation, principal, status, error code, duration); see docs/operations.md.
`;

export const UP_HELP = `wharf up — start Wharf with embedded defaults: the control plane, the SQLite store under
--data-dir, and agents for this host's Docker Engine: one in cluster "default" (EC2 launch type)
and one in the managed Fargate capacity (FARGATE tasks of every cluster)

Usage: wharf up [options]

${CONTROL_PLANE_FLAGS}  --no-agent              do not start the local agents
  --docker-host URL       Docker Engine socket for the agents (default unix:///var/run/docker.sock)
  --host-ip IP            address the agents bind host ports to (default: every address)
${HELP_LINE}
${LOGS_TEXT}`;

export const SERVER_HELP = `wharf server — start the control plane alone (API, SQLite store under --data-dir,
controllers); hosts join it with 'wharf agent'

Usage: wharf server [options]

${CONTROL_PLANE_FLAGS}${HELP_LINE}
${LOGS_TEXT}`;

function parsePort(p: string | undefined, flag = "--port"): number | undefined {
  if (p === undefined) return undefined;
  const n = Number(p);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number, got '${p}'`);
  return n;
}

function parseRate(r: string): number {
  const n = Number(r);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new Error(`--spot-interruptions-per-hour must be a number from 0 to 3600, got '${r}'`);
  return n;
}

/** `wharf server`: the control plane alone, until SIGINT/SIGTERM. */
export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("server", argv, SERVER_OPTIONS);
  if (values.help) {
    process.stdout.write(SERVER_HELP);
    return 0;
  }
  return serve("server", values, false);
}

/** `wharf up`: everything a laptop needs, with embedded defaults. */
export async function upCommand(argv: string[]): Promise<number> {
  const { values } = parseCommandArgs("up", argv, UP_OPTIONS);
  if (values.help) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  return serve("up", values, true);
}

interface ServeFlags {
  "data-dir"?: string;
  store?: string;
  host?: string;
  port?: string;
  "dns-port"?: string;
  "registry-port"?: string;
  "stopped-task-retention"?: string;
  "spot-interruptions-per-hour"?: string;
  "random-seed"?: string;
  "log-level"?: string;
  "no-agent"?: boolean;
  "docker-host"?: string;
  "host-ip"?: string;
}

async function serve(command: string, values: ServeFlags, banner: boolean): Promise<number> {
  const logger = createLogger(resolveLogLevel(command, values["log-level"]));
  const dataDir = resolveDataDir(values["data-dir"]);
  if (!values["data-dir"] && !process.env.WHARF_DATA_DIR && existsSync(join(".wharf", "wharf.db")) && resolve(".wharf") !== dataDir) {
    logger.warn(
      { component: "server", found: resolve(".wharf"), dataDir },
      "found ./.wharf from an earlier Wharf, which kept its state in the working directory: it is not used; pass --data-dir .wharf to keep using it",
    );
  }
  const seed = values["random-seed"] ?? process.env.WHARF_RANDOM_SEED ?? randomBytes(8).toString("hex");
  logger.info({ component: "server", randomSeed: seed }, "random seed (pass --random-seed to replay this run's chance decisions)");
  const port = parsePort(values.port ?? defaultPort());
  const registryPort = parsePort(values["registry-port"] ?? process.env.WHARF_REGISTRY_PORT) ?? (port === undefined || port === 0 || port === 65535 ? 0 : port + 1);
  const server = await startServer({
    dataDir,
    ...(values.store !== undefined ? { store: values.store } : {}),
    random: seededRandom(seed),
    host: values.host ?? defaultHost(),
    port,
    registry: { port: registryPort },
    ...(values["dns-port"] !== undefined || process.env.WHARF_DNS_PORT ? { dnsPort: parsePort(values["dns-port"] ?? defaultDnsPort(), "--dns-port")! } : {}),
    ...(values["stopped-task-retention"] !== undefined
      ? { stoppedTaskRetentionMs: parseDuration(values["stopped-task-retention"]) }
      : {}),
    ...(values["spot-interruptions-per-hour"] !== undefined
      ? { spotInterruptionsPerHour: parseRate(values["spot-interruptions-per-hour"]) }
      : {}),
    log: lineLog(logger, "server"),
    accessLog: accessLog(logger),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE") {
      throw new Error(`port ${(err as NodeJS.ErrnoException & { port?: number }).port ?? values.port ?? defaultPort()} is in use (API ${values.port ?? defaultPort()}, registry ${registryPort}, or DNS): is Wharf already running? Pick others with --port, --registry-port and --dns-port.`);
    }
    throw err;
  });
  const out = process.stdout;
  out.write(`Wharf is up at ${server.url} (data in ${dataDir}, account ${server.accountId})\n`);
  if (server.registryHost) out.write(`ECR registry at ${server.registryHost} (docker login with: aws ecr get-login-password | docker login --username AWS --password-stdin ${server.registryHost})\n`);
  if (banner) {
    out.write(`\nPoint the AWS CLI and SDKs at it:\n\n`);
    out.write(envLines(server.url, dataDir).map((l) => `  ${l}\n`).join(""));
    out.write(`\nthen, for example:  aws ecs create-cluster --cluster-name demo\n`);
    out.write(`(Debian's awscli v2 package ignores AWS_ENDPOINT_URL: pass --endpoint-url ${server.url})\n\n`);
    if (server.dns) out.write(`Names (load balancers' DNSNames, namespaces): dig @${server.dns.address === "0.0.0.0" ? "127.0.0.1" : server.dns.address} -p ${server.dns.port} <name>\n\n`);
  }
  // `wharf up` also runs the local host's agents, in cluster `default` and as Fargate capacity (`wharf server` does not).
  const agents =
    banner && !values["no-agent"]
      ? await startLocalAgents(server, dataDir, {
          dockerHost: values["docker-host"],
          hostIp: values["host-ip"],
          out,
          log: lineLog(logger, "agent"),
        })
      : [];
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  out.write("Wharf is stopping...\n");
  for (const agent of agents) await agent.close();
  await server.close();
  return 0;
}
