/**
 * RunTask throughput through the API on PostgreSQL against SQLite, in the same run: bench/runtask-api.ts
 * once with the server on SQLite (synchronous=FULL) and once on a throwaway PostgreSQL cluster
 * (test/helpers/pg-cluster.ts: initdb in a temp dir, a unix socket of its own,
 * synchronous_commit=on), one Wharf process each, the same simulated fleet and load.
 * Prints both tables. Not measured here: several replicas (they do not share placement yet,
 * docs/postgres.md).
 *
 * Run: npx tsc -p . && node dist/bench/store-pg.js [--instances 1000] [--calls 300] [--clients 8]
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pgSkipReason, startPgCluster } from "../test/helpers/pg-cluster.js";

const { values: args } = parseArgs({
  options: {
    instances: { type: "string", default: "1000" },
    calls: { type: "string", default: "300" },
    clients: { type: "string", default: "8" },
  },
});

/** Runs bench/runtask-api.ts with these extra flags; resolves its stdout (the table). */
function runtaskBench(extra: string[]): Promise<string> {
  const proc = spawn(
    process.execPath,
    [join(process.cwd(), "dist", "bench", "runtask-api.js"), "--instances", args.instances, "--calls", args.calls, "--clients", args.clients, ...extra],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`runtask-api exited with ${code}`))));
  });
}

const skip = pgSkipReason();
if (skip) {
  console.error(skip);
  process.exit(1);
}
const sqlite = await runtaskBench([]);
const cluster = await startPgCluster();
let postgres: string;
try {
  await cluster.createDatabase("bench");
  postgres = await runtaskBench(["--store", cluster.url("bench")]);
} finally {
  await cluster.stop();
}
console.log(`#### SQLite\n\n${sqlite.trim()}\n\n#### PostgreSQL (one replica)\n\n${postgres.trim()}\n`);
