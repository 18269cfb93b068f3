import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The real `wharf` command of this checkout (bin/wharf.js), for tests that run it as a user does. */
export const WHARF_BIN = fileURLToPath(new URL("../../../bin/wharf.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * An environment for a child `wharf` that cannot see the user's state: HOME and XDG_DATA_HOME
 * point into `home` (a temp dir), and no WHARF_* / AWS_* variable is inherited.
 */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(WHARF_|AWS_|XDG_)/.test(k)) env[k] = v;
  return { ...env, HOME: home, XDG_DATA_HOME: join(home, ".local", "share"), ...extra };
}

/** A temp dir removed by the returned cleanup (call it in `after`, it never throws). */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `wharf ARGS` to completion. */
export function runWharf(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [WHARF_BIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("error", reject);
    p.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `wharf` process (server, agent) whose output the test watches. */
export interface WharfProcess {
  proc: ChildProcess;
  stdout(): string;
  /** stderr split into lines, each parsed as JSON (lines that are not JSON are kept as strings). */
  logLines(): (Record<string, unknown> | string)[];
  /** Resolves with the first stdout match of `re`; rejects if the process exits first. */
  waitForStdout(re: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the first log line `pred` accepts; rejects if the process exits first. */
  waitForLog(pred: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  /** SIGTERM, and resolves with the exit code once the process is gone (SIGKILL if it lingers past `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

export function startWharf(args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string }): WharfProcess {
  const proc = spawn(process.execPath, [WHARF_BIN, ...args], { env: opts.env, cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let exited = proc.exitCode !== null;
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  proc.stdout!.on("data", (d: Buffer) => ((out += d.toString()), notify()));
  proc.stderr!.on("data", (d: Buffer) => ((err += d.toString()), notify()));
  const closed = new Promise<number | null>((resolve) =>
    proc.once("close", (code) => {
      exited = true;
      notify();
      resolve(code);
    }),
  );
  const logLines = () =>
    err
      .slice(0, err.lastIndexOf("\n") + 1) // complete lines only
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return l;
        }
      });
  const until = <T>(probe: () => T | undefined, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const v = probe();
        if (v !== undefined) {
          waiters.delete(check);
          resolve(v);
        } else if (exited) {
          waiters.delete(check);
          reject(new Error(`wharf ${args[0]} exited before ${what}\nstdout: ${out}\nstderr: ${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return {
    proc,
    stdout: () => out,
    logLines,
    waitForStdout: (re) => until(() => re.exec(out) ?? undefined, `printing ${re}`),
    waitForLog: (pred) =>
      until(() => logLines().find((l): l is Record<string, unknown> => typeof l === "object" && pred(l)), "the awaited log line"),
    async stop(graceMs = 10_000) {
      if (!exited) proc.kill("SIGTERM");
      const timer = setTimeout(() => !exited && proc.kill("SIGKILL"), graceMs);
      const code = await closed;
      clearTimeout(timer);
      return code;
    },
  };
}
