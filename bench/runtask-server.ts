/**
 * The Wharf server process of bench/runtask-api.ts: `startServer` on a temp data dir, with the
 * placement index kept (default) or, with `--snapshot`, the cluster read afresh for every
 * placement, so the bench can compare the two. Prints "READY <port>" once it serves requests.
 *
 * `--store URL` puts the state in PostgreSQL instead (bench/store-pg.ts compares the two).
 *
 * Run by the bench: node dist/bench/runtask-server.js --data-dir DIR [--snapshot] [--store URL]
 */
import { parseArgs } from "node:util";
import { startServer } from "../src/server.js";

const { values } = parseArgs({ options: { "data-dir": { type: "string" }, snapshot: { type: "boolean", default: false }, store: { type: "string" } } });
const server = await startServer({
  dataDir: values["data-dir"]!,
  ...(values.store ? { store: values.store } : {}),
  port: 0,
  placementIndex: !values.snapshot,
  // The bench measures placement, not services; stopped tasks are irrelevant to it.
  serviceController: false,
});
process.stdout.write(`READY ${server.port}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
