/**
 * The Wharf server process of bench/runtask-api.ts: `startServer` on a temp data dir, with the
 * placement index kept (default) or, with `--snapshot`, the cluster read afresh for every
 * placement, so the bench can compare the two. Prints "READY <port>" once it serves requests.
 *
 * Run by the bench: node dist/bench/runtask-server.js --data-dir DIR [--snapshot]
 */
import { parseArgs } from "node:util";
import { startServer } from "../src/server.js";

const { values } = parseArgs({ options: { "data-dir": { type: "string" }, snapshot: { type: "boolean", default: false } } });
const server = await startServer({
  dataDir: values["data-dir"]!,
  port: 0,
  placementIndex: !values.snapshot,
  // The bench measures placement, not services; stopped tasks are irrelevant to it.
  serviceController: false,
});
process.stdout.write(`READY ${server.port}\n`);
process.once("SIGTERM", () => void server.close().then(() => process.exit(0)));
