import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";

/**
 * Real backends for load balancer tests: small HTTP servers on 127.0.0.1 ephemeral ports that
 * answer with their own name (and echo the headers they got), a health path whose status a
 * test can change, and a slow path that answers only when the test releases it.
 */
export interface Backend {
  name: string;
  port: number;
  /** Status of GET /health (200 unless changed); `hang` never answers (a timeout). */
  health: number | "hang";
  /** Requests seen, by path. */
  hits: string[];
  lastHeaders?: IncomingHttpHeaders;
  /** Slow requests waiting to be released. */
  slow: (() => void)[];
  server: Server;
  close(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  const b: Backend = { name, port: 0, health: 200, hits: [], slow: [], server: undefined as unknown as Server, close: async () => {} };
  const server = createServer((req, res) => {
    if (req.url === "/health") {
      if (b.health === "hang") return;
      res.writeHead(b.health, { "content-type": "text/plain" }).end("health");
      return;
    }
    b.hits.push(req.url ?? "");
    b.lastHeaders = req.headers;
    const answer = () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ backend: name, url: req.url, headers: req.headers }));
    if (req.url?.startsWith("/slow")) b.slow.push(answer);
    else answer();
  });
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  b.server = server;
  b.port = (server.address() as { port: number }).port;
  b.close = () =>
    new Promise<void>((r) => {
      for (const s of b.slow.splice(0)) s();
      server.closeAllConnections();
      server.close(() => r());
    });
  return b;
}

/** A TCP echo server (prefixes what it echoes with its name). */
export async function startEchoServer(name: string): Promise<{ port: number; close(): Promise<void>; server: TcpServer }> {
  const server = createTcpServer((sock) => sock.on("data", (d) => sock.write(`${name}:${d.toString("utf8")}`)).on("error", () => {}));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { port, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request (bounded), no agent reuse unless given. */
export function get(host: string, port: number, path: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, headers, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}

/** Which backend answered (from its JSON body), or undefined. */
export function backendOf(a: Answer): string | undefined {
  try {
    return (JSON.parse(a.body) as { backend?: string }).backend;
  } catch {
    return undefined;
  }
}
