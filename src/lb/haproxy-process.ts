import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { workerPid } from "./haproxy-runtime.js";
import { stopChild } from "../core/child-stop.js";

/**
 * One HAProxy in master-worker mode, Wharf's child: its own directory (haproxy.cfg, the
 * worker's admin socket, the master socket), started in the foreground (`-W`), reloaded
 * gracefully with SIGUSR2 after the new config passed `haproxy -c` (old workers finish their
 * in-flight requests), stopped by pid.
 */

export type Log = (line: Record<string, unknown>) => void;

export class HaproxyError extends Error {}

export interface HaproxyProcessOptions {
  dir: string;
  binary?: string;
  log: Log;
}

const waitUntil = async (what: string, pred: () => Promise<boolean>, timeoutMs: number, alive: () => boolean) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await pred()) return;
    if (!alive()) throw new HaproxyError(`haproxy exited while waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new HaproxyError(`haproxy: ${what} did not happen within ${timeoutMs} ms`);
};

export class HaproxyProcess {
  readonly dir: string;
  readonly configPath: string;
  readonly adminSocket: string;
  readonly masterSocket: string;
  private readonly binary: string;
  private readonly log: Log;
  private child?: ChildProcess;
  private exited = true;
  private stderrTail = "";
  /** Everything HAProxy printed, as one growing string (bounded). */
  private output = "";
  private pid?: number;

  constructor(options: HaproxyProcessOptions) {
    this.dir = options.dir;
    this.binary = options.binary ?? "haproxy";
    this.log = options.log;
    this.configPath = join(this.dir, "haproxy.cfg");
    this.adminSocket = join(this.dir, "admin.sock");
    this.masterSocket = join(this.dir, "master.sock");
  }

  get running(): boolean {
    return !this.exited;
  }

  /** `haproxy -c`: the config's own error text when it is not valid. */
  async check(text: string): Promise<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const candidate = join(this.dir, "haproxy.next.cfg");
    writeFileSync(candidate, text);
    await new Promise<void>((resolve, reject) => {
      execFile(this.binary, ["-c", "-q", "-f", candidate], { timeout: 10_000 }, (err, stdout, stderr) => {
        if (err) {
          const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
          reject(new HaproxyError(missing ? `haproxy is not installed (run scripts/ensure-haproxy.sh, or apt-get install haproxy)` : `haproxy rejected the generated config: ${(stderr || stdout).trim()}`));
        } else resolve();
      });
    });
  }

  async start(text: string): Promise<void> {
    await this.check(text);
    writeFileSync(this.configPath, text);
    rmSync(this.adminSocket, { force: true });
    rmSync(this.masterSocket, { force: true });
    const child = spawn(this.binary, ["-W", "-S", `${this.masterSocket},mode,600`, "-f", this.configPath], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = false;
    this.pid = child.pid;
    const onOutput = (d: Buffer) => {
      const text = d.toString("utf8");
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      this.output = this.output.length > 1_000_000 ? text : this.output + text;
      for (const line of text.split("\n")) if (line.trim()) this.log({ level: /\[ALERT\]/.test(line) ? "warn" : /\[WARNING\]/.test(line) ? "info" : "debug", msg: line.trim(), pid: child.pid });
    };
    child.stdout!.on("data", onOutput);
    child.stderr!.on("data", onOutput);
    child.on("exit", (code, signal) => {
      this.exited = true;
      this.log({ level: "info", msg: "haproxy exited", code, signal, pid: child.pid });
    });
    child.on("error", () => (this.exited = true));
    try {
      await waitUntil("its runtime API to answer", async () => (await workerPid(this.adminSocket)) !== undefined, 10_000, () => !this.exited);
    } catch (err) {
      await this.stop();
      throw new HaproxyError(`${(err as Error).message}: ${bindHint(this.stderrTail)}${this.stderrTail.trim()}`);
    }
    this.log({ level: "info", msg: "haproxy started", pid: child.pid, dir: this.dir });
  }

  /** A graceful reload on a new config: new worker for new connections, the old one finishes. */
  async reload(text: string): Promise<void> {
    await this.check(text);
    writeFileSync(this.configPath, text);
    const before = await workerPid(this.adminSocket);
    const mark = this.output.length;
    process.kill(this.pid!, "SIGUSR2");
    await waitUntil("the reloaded worker", async () => {
      // A reload that fails (a listener that cannot bind) leaves the old worker serving.
      if (/Loading failure|Failed to load|reload failed/i.test(this.output.slice(mark))) throw new HaproxyError("haproxy could not load the new config; the previous one keeps serving");
      const now = await workerPid(this.adminSocket);
      return now !== undefined && now !== before;
    }, 15_000, () => !this.exited).catch((err) => {
      const since = this.output.slice(mark).trim() || this.stderrTail.slice(-1000).trim();
      throw new HaproxyError(`${(err as Error).message}: ${bindHint(since)}${since}`);
    });
    this.log({ level: "info", msg: "haproxy reloaded", pid: this.pid });
  }

  /** Stops the master (and so its workers) by pid, then removes its directory. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      await stopChild(child);
    }
    this.child = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function bindHint(stderr: string): string {
  if (/cannot bind socket.*Permission denied/i.test(stderr) || /Permission denied.*bind/i.test(stderr)) {
    return "listening on a port below 1024 needs root (or CAP_NET_BIND_SERVICE on the haproxy binary: sudo setcap cap_net_bind_service=+ep $(command -v haproxy)); use a listener port ≥ 1024 otherwise. ";
  }
  if (/Address already in use/i.test(stderr)) return "another process already listens on one of the load balancer addresses. ";
  return "";
}
