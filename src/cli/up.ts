import { parseArgs } from "node:util";
import { resolveDataDir } from "../config.js";
import { parseDuration } from "../core/duration.js";
import { startServer } from "../server.js";
import { envLines } from "./env.js";
import { startLocalAgents } from "./local-agent.js";

const serverOptions = {
  "data-dir": { type: "string" },
  host: { type: "string" },
  port: { type: "string" },
  "stopped-task-retention": { type: "string" },
  "spot-interruptions-per-hour": { type: "string" },
  "no-agent": { type: "boolean" },
  "docker-host": { type: "string" },
  "host-ip": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const UP_HELP = `wharf up — start Wharf with embedded defaults: the control plane, the SQLite store under
--data-dir, and agents for this host's Docker Engine: one in cluster "default" (EC2 launch type)
and one in the managed Fargate capacity (FARGATE tasks of every cluster)
(wharf server: the control plane alone, same options except the agent ones)

Usage: wharf up [options]

  --data-dir DIR                 state and credentials (default ./.wharf, or WHARF_DATA_DIR)
  --host HOST                    address to listen on (default 127.0.0.1)
  --port PORT                    port to listen on (default 4700)
  --stopped-task-retention DUR   how long STOPPED tasks stay describable (default 1h; e.g. 24h, 7d)
  --spot-interruptions-per-hour N  chaos: interrupt each FARGATE_SPOT task at this rate (default 0)
  --no-agent                     do not start the local agents
  --docker-host URL              Docker Engine socket for the agents (default unix:///var/run/docker.sock)
  --host-ip IP                   address the agent binds host ports to (default: every address)
`;

function parsePort(p: string | undefined): number | undefined {
  if (p === undefined) return undefined;
  const n = Number(p);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be a port number, got '${p}'`);
  return n;
}

function parseRate(r: string): number {
  const n = Number(r);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new Error(`--spot-interruptions-per-hour must be a number from 0 to 3600, got '${r}'`);
  return n;
}

/** `wharf server`: the control plane alone, until SIGINT/SIGTERM. */
export async function serverCommand(argv: string[]): Promise<number> {
  return upCommand(argv, false);
}

/** `wharf up`: everything a laptop needs, with embedded defaults. */
export async function upCommand(argv: string[], banner = true): Promise<number> {
  const { values } = parseArgs({ args: argv, options: serverOptions });
  if (values.help) {
    process.stdout.write(UP_HELP);
    return 0;
  }
  const dataDir = resolveDataDir(values["data-dir"]);
  const server = await startServer({
    dataDir,
    host: values.host,
    port: parsePort(values.port),
    ...(values["stopped-task-retention"] !== undefined
      ? { stoppedTaskRetentionMs: parseDuration(values["stopped-task-retention"]) }
      : {}),
    ...(values["spot-interruptions-per-hour"] !== undefined
      ? { spotInterruptionsPerHour: parseRate(values["spot-interruptions-per-hour"]) }
      : {}),
    log: (line) => process.stderr.write(JSON.stringify(line) + "\n"),
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE") {
      throw new Error(`port ${values.port ?? 4700} is in use: is Wharf already running? Pick another with --port.`);
    }
    throw err;
  });
  const out = process.stdout;
  out.write(`Wharf is up at ${server.url} (data in ${dataDir}, account ${server.accountId})\n`);
  if (banner) {
    out.write(`\nPoint the AWS CLI and SDKs at it:\n\n`);
    out.write(envLines(server.url, dataDir).map((l) => `  ${l}\n`).join(""));
    out.write(`\nthen, for example:  aws ecs create-cluster --cluster-name demo\n`);
    out.write(`(Debian's awscli v2 package ignores AWS_ENDPOINT_URL: pass --endpoint-url ${server.url})\n\n`);
  }
  // `wharf up` also runs the local host's agents, in cluster `default` and as Fargate capacity (`wharf server` does not).
  const agents =
    banner && !values["no-agent"]
      ? await startLocalAgents(server, dataDir, {
          dockerHost: values["docker-host"],
          hostIp: values["host-ip"],
          out,
          log: (line) => process.stderr.write(JSON.stringify({ agent: true, ...line }) + "\n"),
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
