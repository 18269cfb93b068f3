import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { ecsService } from "./api/ecs/index.js";
import { type EcsDeps, keyedLock } from "./api/ecs/deps.js";
import { accountIdFromEnv, DEFAULT_HOST, DEFAULT_PORT, loadRootCredentials, type RootCredentials } from "./config.js";
import { type Clock, systemClock } from "./core/time.js";
import { createEdge } from "./edge/server.js";
import { SqliteStore } from "./store/sqlite.js";
import { VERSION } from "./version.js";

export interface ServerOptions {
  dataDir: string;
  host?: string;
  port?: number;
  clock?: Clock;
  log?: (line: Record<string, unknown>) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  credentials: RootCredentials;
  accountId: string;
  deps: EcsDeps;
  close(): Promise<void>;
}

/** Starts the control plane: store, API edge, controllers. Resolves once it serves requests. */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const accountId = accountIdFromEnv();
  const credentials = loadRootCredentials(opts.dataDir)!;
  const store = new SqliteStore(join(opts.dataDir, "wharf.db"));
  const deps: EcsDeps = { store, clock, lock: keyedLock() };
  const secrets = (id: string) => (id === credentials.accessKeyId ? credentials.secretAccessKey : undefined);
  const edge = createEdge({
    services: [ecsService(deps)],
    secrets,
    accountId,
    clock,
    version: VERSION,
    log: opts.log,
  });
  const host = opts.host ?? DEFAULT_HOST;
  await new Promise<void>((resolve, reject) => {
    edge.server.once("error", reject);
    edge.server.listen(opts.port ?? DEFAULT_PORT, host, () => resolve());
  });
  const port = (edge.server.address() as AddressInfo).port;
  edge.setReady(true);
  const urlHost = host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    credentials,
    accountId,
    deps,
    async close() {
      edge.setReady(false);
      await new Promise<void>((resolve) => {
        edge.server.close(() => resolve());
        edge.server.closeAllConnections();
      });
      await store.close();
    },
  };
}
