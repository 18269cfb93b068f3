import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, CreateServiceCommand, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * Warm starts with real Docker (issue 15 part 4): a service's image, pushed to Wharf's ECR and
 * not on this machine, is pulled by the agent as soon as UpdateService names it, before any task
 * of the new deployment is placed; an agent started with warm starts off pulls nothing ahead.
 * The Wharf runs under a random account of its own, so every image name the agent makes
 * (`<account>.dkr.ecr.us-east-1.amazonaws.com/wharf-test/warm-…`) is this test's; all are removed.
 */
describe("warm starts: UpdateService pulls the new image to the agent before its tasks are placed", () => {
  const w = new AgentWorld();
  const dockerConfig = mkdtempSync(join(tmpdir(), "wharf-docker-config-"));
  const offDir = mkdtempSync(join(tmpdir(), "wharf-agent-off-"));
  const account = `9${Array.from({ length: 11 }, () => Math.floor(Math.random() * 10)).join("")}`;
  const repoName = `wharf-test/warm-${hex(4)}`;
  const made: string[] = [];
  let host = "";
  let ecrImage = "";
  const previousAccount = process.env.WHARF_ACCOUNT_ID;
  const docker = (...args: string[]) => run("docker", args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, maxBuffer: 16 << 20 });
  const present = async (ref: string) => docker("image", "inspect", ref).then(() => true, () => false);

  before(async () => {
    process.env.WHARF_ACCOUNT_ID = account;
    w.defer(() => rmSync(dockerConfig, { recursive: true, force: true }));
    w.defer(() => rmSync(offDir, { recursive: true, force: true }));
    w.defer(async () => {
      for (const t of made.reverse()) await docker("rmi", t).catch(() => undefined);
      for (const repo of new Set(made.map((t) => t.slice(0, t.lastIndexOf(":"))))) {
        const { stdout } = await docker("images", "--digests", "--format", "{{.Repository}}@{{.Digest}}", repo).catch(() => ({ stdout: "" }));
        for (const ref of stdout.split("\n").filter((l) => l.startsWith(`${repo}@sha256:`))) await docker("rmi", ref).catch(() => undefined);
      }
    });
    await w.start("warm");
    if (previousAccount === undefined) delete process.env.WHARF_ACCOUNT_ID;
    else process.env.WHARF_ACCOUNT_ID = previousAccount;
    host = w.h.server.registryHost!;
    const ecr = new ECRClient({ endpoint: w.h.server.url, region: "us-east-1", credentials: w.h.server.credentials, maxAttempts: 1 });
    const password = (await run("aws", ["ecr", "get-login-password"], { env: w.h.awsEnv })).stdout.trim();
    const login = spawn("docker", ["login", "--username", "AWS", "--password-stdin", host], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
    login.stdin.end(password);
    assert.equal(await new Promise<number>((r) => login.on("exit", (c) => r(c ?? 1))), 0, "docker login");
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repoName }));
    const pushed = `${host}/${repoName}:v1`;
    ecrImage = `${account}.dkr.ecr.us-east-1.amazonaws.com/${repoName}:v1`;
    made.push(pushed, ecrImage);
    await docker("tag", "wharf-test/busybox:latest", pushed);
    await docker("push", pushed);
    await docker("rmi", pushed);
    assert.equal((await ecr.send(new DescribeImagesCommand({ repositoryName: repoName }))).imageDetails!.length, 1);
    assert.equal(await present(ecrImage), false);
    // Revision 1 runs a cached image; revision 2 the image only Wharf's registry has.
    for (const image of ["wharf-test/busybox:latest", ecrImage]) {
      await w.h.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "warm-app",
          containerDefinitions: [{ name: "app", image, memory: 32, essential: true, command: ["sleep", "3600"] }],
        }),
      );
    }
  });
  after(() => w.close());

  it("an agent with warm starts off hears the list but pulls nothing ahead", async () => {
    const cluster = `${w.cluster}-off`;
    await w.h.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    let told: (() => void) | undefined;
    const heard = new Promise<void>((r) => (told = r));
    await w.agent({
      cluster,
      dataDir: offDir,
      warmStarts: false,
      log: (l) => {
        if (l.msg === "warm starts are off: the listed images are not pulled ahead" && (l.images as string[]).includes(ecrImage)) told!();
      },
    });
    await w.h.ecs.send(new CreateServiceCommand({ cluster, serviceName: "off", taskDefinition: "warm-app:1", desiredCount: 0 }));
    await w.h.ecs.send(new UpdateServiceCommand({ cluster, service: "off", taskDefinition: "warm-app:2" }));
    await heard;
    assert.equal(await present(ecrImage), false, "nothing was pulled ahead");
  });

  it("UpdateService to a revision whose image is in Wharf's ECR: the image is on Docker before any task of the deployment; then its task runs", async () => {
    const pulledAhead: string[] = [];
    await w.agent({ log: (l) => void (l.msg === "image pulled ahead" && pulledAhead.push(String(l.image))) });
    await w.h.ecs.send(new CreateServiceCommand({ cluster: w.cluster, serviceName: "web", taskDefinition: "warm-app:1", desiredCount: 0 }));
    await w.h.ecs.send(new UpdateServiceCommand({ cluster: w.cluster, service: "web", taskDefinition: "warm-app:2" }));
    await waitFor(() => present(ecrImage), { what: "the new revision's image pulled ahead", timeoutMs: 60_000 });
    assert.ok(pulledAhead.includes(ecrImage), JSON.stringify(pulledAhead));
    const listed = await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, serviceName: "web" }));
    assert.deepEqual(listed.taskArns, [], "no task was placed: the pull came first");

    await w.h.ecs.send(new UpdateServiceCommand({ cluster: w.cluster, service: "web", desiredCount: 1 }));
    const arns = await waitFor(
      async () => {
        const t = (await w.h.ecs.send(new ListTasksCommand({ cluster: w.cluster, serviceName: "web" }))).taskArns ?? [];
        return t.length ? t : undefined;
      },
      { what: "the service's task", timeoutMs: 30_000 },
    );
    const [task] = await w.waitTasks(arns, "RUNNING", 60_000);
    assert.equal(task!.containers![0]!.image, ecrImage);
    assert.ok(task!.containers![0]!.imageDigest, "the container reports the image's digest");
  });
});
