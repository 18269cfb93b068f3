import { createServer } from "node:http";

// Backends for bench/lb.ts in a process of their own: N tiny HTTP servers on 127.0.0.1 ephemeral
// ports answering a fixed small body; prints their ports as one JSON line.
const n = Number(process.argv[2] ?? 2);
const body = Buffer.from(JSON.stringify({ ok: true, pad: "x".repeat(64) }));
const ports: number[] = [];
for (let i = 0; i < n; i++) {
  const s = createServer((req, res) => {
    if (req.url === "/health") return void res.writeHead(200).end("ok");
    res.writeHead(200, { "content-type": "application/json", "content-length": body.length }).end(body);
  });
  s.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  ports.push((s.address() as { port: number }).port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on("SIGTERM", () => process.exit(0));
