import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ecsOperations } from "../src/api/ecs/index.js";
import { type Child, clientFor as childClient, killHard, startChildServer as startChild } from "./helpers/child-server.js";
import { waitFor } from "./helpers/wait.js";

describe("acknowledged writes survive kill -9", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-persist-"));
  const children: Child[] = [];
  after(async () => {
    for (const c of children) await killHard(c);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const clientFor = (url: string) => childClient(dataDir, url);

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
    await waitFor(() => acked.length >= 60, { what: "60 acknowledged writes", intervalMs: 5 });
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
