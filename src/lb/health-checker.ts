import { request } from "node:http";
import { connect } from "node:net";
import type { LbHealthCheck, LbTarget, LbTargetGroup } from "../core/lb/data-plane-contract.js";
import { targetKey } from "../core/lb/haproxy-names.js";
import { codeMatches, type CheckResult } from "../core/lb/target-health.js";

/**
 * Wharf's own health checker: one loop per (group, target) with checks enabled and not
 * draining, as ELB runs them — HTTP GET of the path on the traffic port (or the configured
 * one) with the group's timeout, matched against Matcher.HttpCode; TCP: a connection that
 * opens. The first check runs at once, then every HealthCheckIntervalSeconds.
 */

export type CheckListener = (tg: LbTargetGroup, target: LbTarget, result: CheckResult) => void;

export function checkPort(hc: LbHealthCheck, target: LbTarget): number {
  return hc.port === "traffic-port" ? target.port : Number(hc.port);
}

export function runCheck(hc: LbHealthCheck, target: LbTarget): Promise<CheckResult> {
  const port = checkPort(hc, target);
  const timeoutMs = hc.timeoutSeconds * 1000;
  if (hc.protocol === "HTTP" || hc.protocol === "HTTPS") {
    return new Promise((resolve) => {
      let done = false;
      const finish = (r: CheckResult) => {
        if (!done) {
          done = true;
          clearTimeout(timer);
          req.destroy();
          resolve(r);
        }
      };
      const req = request({ host: target.address, port, path: hc.path ?? "/", method: "GET", agent: false, headers: { host: `${target.address}:${port}`, "user-agent": "ELB-HealthChecker/2.0", connection: "close" } }, (res) => {
        const code = res.statusCode ?? 0;
        res.resume();
        finish(codeMatches(hc.httpCode, code) ? { ok: true } : { ok: false, kind: "code", code });
      });
      const timer = setTimeout(() => finish({ ok: false, kind: "timeout" }), timeoutMs);
      req.on("error", () => finish({ ok: false, kind: "failed" }));
      req.end();
    });
  }
  return new Promise((resolve) => {
    const sock = connect({ host: target.address, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, kind: "timeout" });
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true });
    });
    sock.once("error", () => {
      clearTimeout(timer);
      resolve({ ok: false, kind: "failed" });
    });
  });
}

interface Loop {
  tg: LbTargetGroup;
  target: LbTarget;
  timer?: NodeJS.Timeout;
  stopped: boolean;
  fingerprint: string;
}

export class HealthChecker {
  private readonly loops = new Map<string, Loop>();

  constructor(private readonly onResult: CheckListener) {}

  /** Starts loops for new targets, stops those gone or draining, restarts those whose check changed. */
  sync(groups: LbTargetGroup[], excluded: (tg: LbTargetGroup, t: LbTarget) => boolean): void {
    const want = new Map<string, { tg: LbTargetGroup; target: LbTarget; fingerprint: string }>();
    for (const tg of groups) {
      if (!tg.healthCheck.enabled) continue;
      for (const target of tg.targets) {
        if (target.draining || excluded(tg, target)) continue;
        want.set(targetKey(tg.arn, target), { tg, target, fingerprint: JSON.stringify([tg.healthCheck, target.address]) });
      }
    }
    for (const [key, loop] of this.loops) {
      const w = want.get(key);
      if (!w || w.fingerprint !== loop.fingerprint) this.stopLoop(key);
    }
    for (const [key, w] of want) {
      const loop = this.loops.get(key);
      if (loop) {
        loop.tg = w.tg;
        loop.target = w.target;
        continue;
      }
      const fresh: Loop = { ...w, stopped: false };
      this.loops.set(key, fresh);
      void this.tick(fresh);
    }
  }

  private async tick(loop: Loop): Promise<void> {
    if (loop.stopped) return;
    const result = await runCheck(loop.tg.healthCheck, loop.target);
    if (loop.stopped) return;
    this.onResult(loop.tg, loop.target, result);
    loop.timer = setTimeout(() => void this.tick(loop), loop.tg.healthCheck.intervalSeconds * 1000);
  }

  private stopLoop(key: string): void {
    const loop = this.loops.get(key);
    if (!loop) return;
    loop.stopped = true;
    clearTimeout(loop.timer);
    this.loops.delete(key);
  }

  close(): void {
    for (const key of [...this.loops.keys()]) this.stopLoop(key);
  }
}
