import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { agentChannelRoute } from "./api/agent-channel.js";
import { explainRoute } from "./api/explain-route.js";
import { deploymentTimelineRoute } from "./api/deployment-timeline-route.js";
import { AgentHub } from "./api/agent-hub.js";
import { capacityRoute } from "./api/capacity-route.js";
import { spotRoute } from "./api/spot-route.js";
import { startSpotChaos } from "./api/ecs/spot-interruptions.js";
import { PlacementIndexes } from "./api/ecs/placement-indexes.js";
import { ecsService } from "./api/ecs/index.js";
import { type LogsDeps, logsService } from "./api/logs/index.js";
import { LogStore } from "./api/logs/log-store.js";
import { DEFAULT_SWEEP_INTERVAL_MS, startRetentionSweeper } from "./api/logs/retention-sweeper.js";
import { type EcsDeps, keyedLock } from "./api/ecs/deps.js";
import { accountIdFromEnv, DEFAULT_HOST, DEFAULT_PORT, loadRootCredentials, type RootCredentials } from "./config.js";
import { type Clock, systemClock } from "./core/time.js";
import { DEFAULT_STOPPED_TASK_RETENTION_MS, startTaskReaper } from "./controllers/task-reaper.js";
import { createEdge } from "./edge/server.js";
import { SqliteStore } from "./store/sqlite.js";
import { withWriteListener, type WriteListener } from "./store/observed-store.js";
import { ServiceController } from "./controllers/service-controller.js";
import { serviceTriggers } from "./controllers/service-triggers.js";
import { serviceTaskPort } from "./api/ecs/service-task-port.js";
import type { ReconcileParams } from "./core/service/types.js";
import { VERSION } from "./version.js";

export interface ServerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  clock?: Clock;
  log?: (line: Record<string, unknown>) => void;
  /** How long STOPPED tasks stay describable (default 1 hour, as ECS). */
  stoppedTaskRetentionMs?: number;
  /** How long after its last poll an agent still counts as connected (default AGENT_GRACE_MS). */
  agentGraceMs?: number;
  /**
   * Run the service controller (default true). API-level tests that assert the immediate
   * result of an UpdateService turn it off, so the scheduler does not move the state under them.
   */
  serviceController?: boolean;
  /** Service scheduler tuning (e.g. how long a task without health checks must run to count as healthy). */
  serviceParams?: Partial<ReconcileParams>;
  /**
   * Keep each cluster's placement index in memory, current from committed writes (default true).
   * false reads the cluster afresh for every placement (benchmarks compare the two).
   */
  placementIndex?: boolean;
  /** How often the CloudWatch Logs retention sweeper runs (default 60 s). */
  logsSweepIntervalMs?: number;
  /** Chance, injected (placement ties, Spot interruptions); default Math.random. */
  random?: () => number;
  /** Chaos: interrupt each FARGATE_SPOT task at this rate per task-hour (default 0: only on demand). */
  spotInterruptionsPerHour?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  credentials: RootCredentials;
  accountId: string;
  deps: EcsDeps;
  /** CloudWatch Logs: `appendLogEvents(logs, …)` ships lines in-process; `sweepNow` enforces retention now. */
  logs: LogsDeps & { sweepNow(): Promise<number> };
  /** Store write listeners that threw since start (each was logged; the writes stood). */
  listenerFailures(): number;
  close(): Promise<void>;
}

/** Starts the control plane: store, API edge, controllers. Resolves once it serves requests. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const accountId = accountIdFromEnv();
  const credentials = loadRootCredentials(opts.dataDir)!;
  const sqlite = new SqliteStore(join(opts.dataDir, "wharf.db"));
  // Committed writes wake the controllers that care (see src/controllers/service-triggers.ts).
  let onWrite: WriteListener = () => undefined;
  // Placement keeps each cluster's index current from the same notifications (src/api/ecs/placement-indexes.ts).
  let placement: PlacementIndexes | undefined;
  const store = withWriteListener(
    sqlite,
    (ops) => {
      placement?.observe(ops);
      onWrite(ops);
    },
    (err, ops) =>
      opts.log?.({
        level: "error",
        msg: "a store write listener threw (the write itself is durable)",
        kinds: [...new Set(ops.map((o) => o.kind))],
        err: String((err as Error)?.stack ?? err),
      }),
  );
  const agents = new AgentHub(clock, opts.agentGraceMs);
  if (opts.placementIndex !== false) placement = new PlacementIndexes(store, (arn) => agents.connected(arn));
  agents.onPresenceChange((arn, connected) => placement?.presenceChanged(arn, connected));
  // Agents registered before a restart keep placing tasks while they reconnect (agent-hub.ts).
  const known = await store.list<{ status: string }>("container-instance");
  agents.resumeAfterRestart(known.filter((r) => r.value.status !== "INACTIVE").map((r) => r.id));
  const deps: EcsDeps = { store, clock, lock: keyedLock(), agents, random: opts.random ?? Math.random, ...(placement ? { placement } : {}) };
  const services = new ServiceController(deps, serviceTaskPort(deps), {
    ...(opts.serviceParams ? { params: opts.serviceParams } : {}),
    log: (line) => opts.log?.({ level: "warn", msg: line }),
  });
  if (opts.serviceController !== false) {
    deps.onServiceChanged = (arn) => services.enqueue(arn);
    onWrite = serviceTriggers(store, (arn) => services.enqueue(arn));
  }
  const logStore = new LogStore(sqlite.database);
  const logsDeps: LogsDeps = { logs: logStore, clock };
  const sweeper = startRetentionSweeper(logStore, clock, opts.logsSweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS);
  const secrets = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
  const reaper = startTaskReaper({
    store,
    clock,
    retentionMs: opts.stoppedTaskRetentionMs ?? DEFAULT_STOPPED_TASK_RETENTION_MS,
    log: opts.log,
  });
  const edge = createEdge({
    services: [ecsService(deps), logsService(logsDeps)],
    secrets,
    accountId,
    clock,
    version: VERSION,
    log: opts.log,
    internal: [
      agentChannelRoute({ deps, hub: agents, secrets, accountId, clock }),
      explainRoute({ deps, secrets, accountId, clock }),
      capacityRoute({ deps, secrets, accountId, clock }),
      spotRoute({ deps, secrets, accountId, clock }),
      deploymentTimelineRoute({ deps, secrets, accountId, clock, healthyAfterMs: opts.serviceParams?.healthyAfterMs ?? 40_000 }),
    ],
  });
  const host = opts.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    edge.server.once("error", reject);
    edge.server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (edge.server.address() as AddressInfo).port;
  if (opts.serviceController !== false) services.start();
  const chaos = opts.spotInterruptionsPerHour ? startSpotChaos(deps, { perHour: opts.spotInterruptionsPerHour, log: opts.log }) : undefined;
  edge.setReady(true);
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  deps.endpoint = `http://${urlHost}:${port}`;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    credentials,
    accountId,
    deps,
    logs: { ...logsDeps, sweepNow: sweeper.sweepNow },
    listenerFailures: () => store.listenerFailures,
    async close() {
      edge.setReady(false);
      chaos?.stop();
      reaper.stop();
      await services.stop();
      agents.close();
      await new Promise<void>((resolve) => {
        edge.server.close(() => resolve());
        edge.server.closeAllConnections();
      });
      await sweeper.stop();
      await store.close();
    },
  };
}
