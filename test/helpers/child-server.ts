import { ECSClient } from "@aws-sdk/client-ecs";
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const BIN = join(process.cwd(), "bin", "wharf.js");

/** A `wharf` process started by a test. */
export interface Child {
  proc: ChildProcess;
  url: string;
  /** Everything it printed so far. */
  output(): string;
}

/** Environment for a child Wharf: the test's own credentials and account, not the user's. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.WHARF_ACCESS_KEY_ID;
  delete env.WHARF_SECRET_ACCESS_KEY;
  delete env.WHARF_ACCOUNT_ID;
  return env;
}

/**
 * Starts `wharf server` as a child process (on `port`, default a free one, on 127.0.0.1) and
 * waits for "Wharf is up at URL". `extra` adds flags (`--store …`) and environment.
 */
export function startChildServer(dataDir: string, port = 0, extra: { args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Child> {
  const proc = spawn(process.execPath, [BIN, "server", "--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, ...(extra.args ?? [])], {
    env: { ...childEnv(), ...extra.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    // A server that never comes up is killed here: the caller has no handle on it to clean up.
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`wharf server did not start: ${out}`));
    }, 15_000);
    proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Wharf is up at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]!, output: () => out });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`wharf server exited with ${code}: ${out}`));
    });
  });
}

/** Starts another `wharf` subcommand (an agent, say) as a child process; resolves once spawned. */
export function startChild(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { ...childEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { proc, url: "", output: () => out };
}

/** SIGKILL, and wait for the exit. */
export function killHard(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once("exit", () => resolve());
    child.proc.kill("SIGKILL");
  });
}

/** An ECS client for a child server, with the credentials it keeps in its data dir. */
export function clientFor(dataDir: string, url: string): ECSClient {
  const credentials = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
  return new ECSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
}
