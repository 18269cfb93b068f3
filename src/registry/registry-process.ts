import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { stopChild } from "../core/child-stop.js";

/**
 * The distribution registry (Debian's `docker-registry`, distribution 2.8) as Wharf's child:
 * its own config and storage under `<dataDir>/ecr/registry`, listening on a loopback port of its
 * own that only Wharf's front talks to, started on first use, stopped by pid at close. It
 * stores blobs and manifests (by digest); tags, repositories and auth are Wharf's.
 */

export type Log = (line: Record<string, unknown>) => void;

export class RegistryUnavailable extends Error {}

export interface RegistryProcessOptions {
  dir: string;
  binary?: string;
  log?: Log;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** The registry's config: filesystem storage, deletes enabled, relative Location URLs (the front rewrites them). */
export function registryConfig(storageDir: string, port: number, secret: string): string {
  return [
    "version: 0.1",
    "log:",
    "  level: warn",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    "  delete:",
    "    enabled: true",
    "  cache:",
    "    blobdescriptor: inmemory",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${secret}`,
    "  relativeurls: true",
    "",
  ].join("\n");
}

export class RegistryProcess {
  private child?: ChildProcess;
  private starting?: Promise<string>;
  private exited = true;
  private tail = "";
  private readonly binary: string;

  constructor(private readonly opts: RegistryProcessOptions) {
    this.binary = opts.binary ?? process.env.WHARF_REGISTRY_BINARY ?? "docker-registry";
  }

  /** `http://127.0.0.1:<port>` of a running registry, starting it the first time. */
  ensure(): Promise<string> {
    if (this.starting && !this.exited) return this.starting;
    this.starting = this.start();
    this.starting.catch(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<string> {
    const storage = join(this.opts.dir, "storage");
    mkdirSync(storage, { recursive: true, mode: 0o700 });
    const port = await freePort();
    const config = join(this.opts.dir, "config.yml");
    writeFileSync(config, registryConfig(storage, port, randomBytes(24).toString("hex")), { mode: 0o600 });
    const child = spawn(this.binary, ["serve", config], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = false;
    const onOutput = (d: Buffer) => {
      const text = d.toString("utf8");
      this.tail = (this.tail + text).slice(-4000);
      for (const line of text.split("\n")) if (line.trim()) this.opts.log?.({ level: "debug", msg: line.trim(), pid: child.pid });
    };
    child.stdout!.on("data", onOutput);
    child.stderr!.on("data", onOutput);
    const spawnError = new Promise<never>((_, reject) =>
      child.once("error", (err) => {
        this.exited = true;
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        reject(new RegistryUnavailable(missing ? `${this.binary} is not installed (run scripts/ensure-registry.sh, or apt-get install docker-registry)` : String(err)));
      }),
    );
    spawnError.catch(() => undefined); // a late 'error' (after a good start) must not go unhandled
    child.on("exit", (code, signal) => {
      this.exited = true;
      this.opts.log?.({ level: "info", msg: "docker-registry exited", code, signal, pid: child.pid });
    });
    const url = `http://127.0.0.1:${port}`;
    const ready = (async () => {
      const end = Date.now() + 15_000;
      while (Date.now() < end) {
        if (this.exited) throw new RegistryUnavailable(`docker-registry exited at start: ${this.tail.trim()}`);
        const ok = await fetch(`${url}/v2/`).then((r) => r.ok, () => false);
        if (ok) return url;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new RegistryUnavailable(`docker-registry did not answer within 15 s: ${this.tail.trim()}`);
    })();
    try {
      await Promise.race([ready, spawnError]);
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.opts.log?.({ level: "info", msg: "docker-registry started", pid: child.pid, url });
    return url;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exited) {
      await stopChild(child);
    }
    this.child = undefined;
    this.starting = undefined;
  }
}
