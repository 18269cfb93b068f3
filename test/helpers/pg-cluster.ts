import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A throwaway PostgreSQL cluster of a test's own: `initdb` in a temp dir, `postgres` listening
 * on a unix socket in that dir only (no TCP port, so nothing to collide with), trust auth for
 * user `wharf`; the default collation is ICU's en-US (not byte order), so a query that forgets
 * Wharf's byte-order collation shows in the results. PostgreSQL refuses to run as root: as root it runs in a user
 * namespace of its own (`unshare --user --map-user`, so it owns its files without a chown), or,
 * where that is not allowed, as the `postgres` user (`runuser`). `stop()` ends it by pid and
 * removes the dir; call it even on failure.
 */
export interface PgCluster {
  /** A connection URL for Wharf and `pg` (`postgresql://wharf@localhost/DB?host=SOCKETDIR`). */
  url(db?: string): string;
  /** Creates another database in the cluster (one per test keeps tests apart). */
  createDatabase(name: string): Promise<void>;
  /** Stops PostgreSQL (fast shutdown) and starts it again on the same files. */
  restart(): Promise<void>;
  /** The server's pid (a test may kill it). */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** PostgreSQL's bin directory: WHARF_PG_BIN, else the newest /usr/lib/postgresql/N/bin, else undefined. */
export function findPgBin(): string | undefined {
  const env = process.env.WHARF_PG_BIN;
  if (env) return existsSync(join(env, "postgres")) ? env : undefined;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(base, versions[0], "bin");
}

/** Why PostgreSQL tests cannot run here, or undefined when they can (for `{ skip }`). */
export function pgSkipReason(): string | undefined {
  return findPgBin() ? undefined : "PostgreSQL binaries not found (run scripts/ensure-postgres.sh, or set WHARF_PG_BIN)";
}

type Runner = { wrap(cmd: string, args: string[]): [string, string[]]; chownTo?: string };

function pickRunner(): Runner {
  if (process.getuid?.() !== 0) return { wrap: (c, a) => [c, a] };
  try {
    execFileSync("unshare", ["--user", "--map-user=1000", "--map-group=1000", "true"], { stdio: "ignore" });
    return { wrap: (c, a) => ["unshare", ["--user", "--map-user=1000", "--map-group=1000", c, ...a]] };
  } catch {
    return { wrap: (c, a) => ["runuser", ["-u", "postgres", "--", c, ...a]], chownTo: "postgres" };
  }
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = findPgBin();
  if (!bin) throw new Error(pgSkipReason());
  const runner = pickRunner();
  const dir = mkdtempSync(join(tmpdir(), "wharf-pg-"));
  const data = join(dir, "data");
  let child: ChildProcess | undefined;
  const stopChild = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill("SIGINT"); // fast shutdown: ends sessions, checkpoints
    const timer = setTimeout(() => c.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const start = async () => {
    const [cmd, args] = runner.wrap(join(bin, "postgres"), [
      "-D", data,
      "-k", dir,
      "-c", "listen_addresses=",
      "-c", "max_connections=200",
      "-c", "shared_buffers=32MB",
    ]);
    const c = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    child = c;
    let log = "";
    await new Promise<void>((resolve, reject) => {
      c.stderr!.setEncoding("utf8");
      c.stderr!.on("data", (chunk: string) => {
        if (log.length < 20_000) log += chunk;
        if (log.includes("database system is ready to accept connections")) resolve();
      });
      c.once("exit", (code, sig) => reject(new Error(`postgres exited (${code ?? sig}) before it was ready:\n${log}`)));
      c.once("error", reject);
    });
  };
  try {
    if (runner.chownTo) execFileSync("chown", ["-R", runner.chownTo, dir]);
    const [cmd, args] = runner.wrap(join(bin, "initdb"), ["-D", data, "-U", "wharf", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--locale-provider=icu", "--icu-locale=en-US", "--no-sync"]);
    execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
    await start();
  } catch (err) {
    await stopChild();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (db = "postgres") => `postgresql://wharf@localhost/${db}?host=${encodeURIComponent(dir)}`;
  return {
    url,
    get pid() {
      return child?.pid;
    },
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      const pg = (await import("pg")).default;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
    },
    async restart() {
      await stopChild();
      await start();
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

