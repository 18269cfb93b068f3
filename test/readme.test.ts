import { CreateClusterCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { hex, removeInstanceContainers, ownLoopbackIp } from "./helpers/agent-fixtures.js";
import { writeLocalExamples } from "./helpers/examples.js";
import { repoRoot, startTestWharf, type TestWharf } from "./helpers/harness.js";
import { blocksScript, commandBlocks, lastBlockLine } from "./helpers/readme-blocks.js";

/**
 * README.md's command blocks, run as written: every ```bash / ```sh block not marked
 * `<!-- readme-test: skip (reason) -->`, in order, in one bash (`set -euo pipefail`), from an
 * empty temporary directory that holds only what a fresh clone gives the commands they name
 * (examples/ — with the wharf-test/* images in place of the public ones — and bin/), with its own
 * HOME, against a test Wharf whose data dir is that HOME's per-user one (so `wharf env` finds it,
 * WHARF_PORT naming its port) and one real agent in cluster `default`.
 */
describe("README.md's command blocks (aws CLI, real agent, real Docker)", { timeout: 300_000 }, () => {
  const blocks = commandBlocks(readFileSync(join(repoRoot, "README.md"), "utf8"));
  let tmp = "";
  let h: TestWharf | undefined;
  let agent: RunningAgent | undefined;
  let fargate: RunningAgent | undefined;

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), "wharf-readme-"));
    const work = join(tmp, "checkout");
    mkdirSync(join(tmp, "home"), { recursive: true });
    writeLocalExamples(work);
    symlinkSync(join(repoRoot, "bin"), join(work, "bin"));
    // The per-user data dir `wharf up` and `wharf env` default to (XDG_DATA_HOME/wharf).
    mkdirSync(join(tmp, "home", ".local", "share"), { recursive: true });
    h = await startTestWharf({ dataDir: join(tmp, "home", ".local", "share", "wharf") });
    await h.ecs.send(new CreateClusterCommand({ clusterName: "default" }));
    agent = await startAgent({
      endpoint: h.server.url,
      cluster: "default",
      dataDir: join(tmp, "agent"),
      hostIp: ownLoopbackIp(),
      credentials: h.server.credentials,
    });
    // `wharf up`'s second agent: the managed Fargate capacity (the README's Fargate block).
    fargate = await startAgent({
      endpoint: h.server.url,
      cluster: "default",
      fargate: true,
      dataDir: join(tmp, "agent-fargate"),
      hostIp: ownLoopbackIp(),
      credentials: h.server.credentials,
    });
  });

  after(async () => {
    for (const a of [agent, fargate]) {
      await a?.close().catch(() => undefined);
      if (a) await removeInstanceContainers(a.containerInstanceArn).catch(() => undefined);
    }
    await h?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("has command blocks, and skips only those marked (Wharf's start, the suite)", () => {
    assert.ok(blocks.filter((b) => !b.skip).length >= 1, "at least one block to run");
    for (const b of blocks.filter((b) => b.skip)) {
      assert.match(b.code, /scripts\/up\.sh|wharf(\.js)? up|npm test|scripts\/test\.sh/, `block at line ${b.line} is skipped: ${b.skip}`);
    }
  });

  it("runs every other block in order, each exiting 0; the page is served", async () => {
    const work = join(tmp, "checkout");
    const script = join(tmp, `readme-${hex(3)}.sh`);
    writeFileSync(script, `set -euo pipefail\n${blocksScript(blocks)}`);
    const url = new URL(h!.server.url);
    // Only what a user's shell has: no AWS_* of the parent; `wharf env` sets them.
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("WHARF_")),
    );
    Object.assign(env, { HOME: join(tmp, "home"), XDG_DATA_HOME: join(tmp, "home", ".local", "share"), WHARF_HOST: url.hostname, WHARF_PORT: url.port, AWS_PAGER: "" });
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile("bash", [script], { cwd: work, env, maxBuffer: 16 << 20, timeout: 280_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    assert.equal(
      result.code,
      0,
      `README block at line ${lastBlockLine(result.stderr)} failed (exit ${result.code}):\n${result.stderr.slice(-4000)}\n--- stdout ---\n${result.stdout.slice(-2000)}`,
    );
    for (const b of blocks.filter((b) => !b.skip)) assert.match(result.stderr, new RegExp(`^::readme-block ${b.line}::$`, "m"));
    assert.match(result.stdout, /Welcome to Wharf/, "curl printed the task's page");
  });
});
