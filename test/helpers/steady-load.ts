import { Agent, request } from "node:http";

/**
 * A steady HTTP load of its own: `rps` GETs a second on keep-alive connections (a Node client,
 * as a browser or service client would hold them), each bounded by a timeout. Every answer that
 * is not 2xx, every connection error and every timeout counts as a failed request — except that a
 * GET whose reused keep-alive connection the server had already closed (reset before any answer) is
 * sent once more on a new connection, as browsers, curl and Go's client do (Node's documented
 * `req.reusedSocket` pattern); those are counted in `resent`.
 */
export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  /** GETs sent again because their reused idle connection had been closed by the server. */
  resent: number;
  /** The first few failures, for the assertion message. */
  failures: string[];
  /** Bodies seen, with their counts (which backends answered). */
  bodies: Map<string, number>;
  wallMs: number;
}

export interface SteadyLoad {
  stop(): Promise<LoadResult>;
}

export function steadyLoad(o: { host: string; port: number; path?: string; rps: number; timeoutMs?: number; hostHeader?: string }): SteadyLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const started = Date.now();
  const result: LoadResult = { sent: 0, ok: 0, failed: 0, resent: 0, failures: [], bodies: new Map(), wallMs: 0 };
  const inFlight = new Set<Promise<void>>();
  const fail = (why: string) => {
    result.failed++;
    if (result.failures.length < 10) result.failures.push(`${new Date().toISOString()} ${why}`);
  };
  const one = (again = false) =>
    new Promise<void>((resolve) => {
      if (!again) result.sent++;
      let settled = false;
      const done = (why?: string) => {
        if (settled) return;
        settled = true;
        if (why) fail(why);
        resolve();
      };
      const req = request(
        // A resend goes on a connection of its own: the pool's other idle sockets may be closing too (a
        // reloading HAProxy closes all its idle keep-alive connections at once).
        { host: o.host, port: o.port, path: o.path ?? "/", agent: again ? false : agent, headers: o.hostHeader ? { host: o.hostHeader } : {} },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d) => (body += d));
          res.on("end", () => {
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              result.ok++;
              const key = body.trim();
              result.bodies.set(key, (result.bodies.get(key) ?? 0) + 1);
              done();
            } else done(`HTTP ${code} ${body.slice(0, 80)}`);
          });
          res.on("error", (e) => done(`response: ${e.message}`));
        },
      );
      req.setTimeout(o.timeoutMs ?? 5_000, () => req.destroy(new Error("timed out")));
      req.on("error", (e: NodeJS.ErrnoException) => {
        if (!again && !settled && req.reusedSocket && (e.code === "ECONNRESET" || e.message === "socket hang up")) {
          settled = true;
          result.resent++;
          return void one(true).then(resolve);
        }
        done(`request: ${e.message}`);
      });
      req.end();
    });
  // Fire in 10 ms ticks, catching up on the schedule so the rate holds even when a tick is late.
  const tick = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * o.rps);
    while (result.sent < due) {
      const p = one().finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
  }, 10);
  return {
    async stop() {
      clearInterval(tick);
      await Promise.all([...inFlight]);
      agent.destroy();
      result.wallMs = Date.now() - started;
      return result;
    },
  };
}
