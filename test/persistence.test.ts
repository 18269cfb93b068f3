import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ecsOperations } from "../src/api/ecs/index.js";

const BIN = join(process.cwd(), "bin", "wharf.js");

interface Child {
  proc: ChildProcess;
  url: string;
}

/** Starts `wharf server` as a child process on a free port and waits for "Wharf is up at URL". */
function startChild(dataDir: string): Promise<Child> {
  const env = { ...process.env };
  delete env.WHARF_ACCESS_KEY_ID;
  delete env.WHARF_SECRET_ACCESS_KEY;
  delete env.WHARF_ACCOUNT_ID;
  const proc = spawn(process.execPath, [BIN, "server", "--port", "0", "--data-dir", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`wharf server did not start: ${out}${err}`)), 15_000);
    proc.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Wharf is up at (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`wharf server exited with ${code}: ${out}${err}`));
    });
  });
}

function killHard(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once("exit", () => resolve());
    child.proc.kill("SIGKILL");
  });
}

describe("acknowledged writes survive kill -9", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-persist-"));
  const children: Child[] = [];
  after(async () => {
    for (const c of children) await killHard(c);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const clientFor = (url: string) => {
    const credentials = JSON.parse(readFileSync(join(dataDir, "credentials.json"), "utf8"));
    return new ECSClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
  };

  it("every write the server answered is there after SIGKILL and restart", async () => {
    const first = await startChild(dataDir);
    children.push(first);
    const ecs = clientFor(first.url);
    const hasTaskDefs = "RegisterTaskDefinition" in ecsOperations && "DescribeTaskDefinition" in ecsOperations;

    // Writes keep flowing (8 in flight at a time) while the process is killed; only the ones
    // that were answered count as acknowledged.
    const acked: string[] = [];
    const ackedFamilies: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const name = `persist-${w}-${i}`;
        try {
          await ecs.send(new CreateClusterCommand({ clusterName: name, tags: [{ key: "n", value: name }] }));
          acked.push(name);
          if (hasTaskDefs && i % 4 === 0) {
            await ecs.send(
              new RegisterTaskDefinitionCommand({
                family: name,
                containerDefinitions: [{ name: "app", image: "busybox", memory: 64, essential: true }],
              }),
            );
            ackedFamilies.push(name);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    while (acked.length < 60) await new Promise((r) => setTimeout(r, 5));
    await killHard(first); // SIGKILL while requests are in flight
    stop = true;
    await Promise.all(workers);
    ecs.destroy();

    const second = await startChild(dataDir);
    children.push(second);
    const ecs2 = clientFor(second.url);
    for (let i = 0; i < acked.length; i += 100) {
      const batch = acked.slice(i, i + 100);
      const d = await ecs2.send(new DescribeClustersCommand({ clusters: batch, include: ["TAGS"] }));
      assert.deepEqual(d.failures, [], "no acknowledged cluster is missing");
      assert.equal(d.clusters?.length, batch.length);
      for (const c of d.clusters ?? []) assert.deepEqual(c.tags, [{ key: "n", value: c.clusterName }]);
    }
    for (const family of ackedFamilies) {
      const td = await ecs2.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
      assert.equal(td.taskDefinition?.family, family);
    }
    // The restarted server keeps taking writes on the same data.
    const arn = (await ecs2.send(new CreateClusterCommand({ clusterName: "after-restart" }))).cluster!.clusterArn!;
    await ecs2.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: "k", value: "v" }] }));
    assert.deepEqual((await ecs2.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ key: "k", value: "v" }]);
    ecs2.destroy();
    await killHard(second);
  });
});
