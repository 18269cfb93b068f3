/**
 * Warm starts: the time from UpdateService to RUNNING with and without them, on one machine.
 *
 * One Wharf server (temp data dir, random port, its own random account), two in-process agents
 * on the local Docker Engine, each in a cluster of its own: one with warm starts (the default),
 * one started with `warmStarts: false`. Each sample builds a fresh image (FROM
 * wharf-test/busybox plus `--mib` MiB of random bytes, so every pull really moves a layer), pushes
 * it to Wharf's ECR and drops every local copy. Two scenarios per agent:
 * - scale-out: UpdateService to the new revision at desiredCount 0, wait until the agent has been
 *   told (warm: the image is on Docker; off: the agent logged the list), then time
 *   UpdateService desiredCount 1 → DescribeTasks shows RUNNING;
 * - direct: time UpdateService to the new revision with desiredCount 1 → RUNNING (the task is
 *   placed at once: its pull and the pull ahead are one shared pull, so warm starts cannot help).
 * Every tag the bench made is removed at the end.
 *
 * Run: npx tsc -p . && node dist/bench/warm-start.js [--samples 5] [--mib 30] [--write]
 */
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { CreateClusterCommand, CreateServiceCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { startServer } from "../src/server.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { median } from "./lib/stats.js";

const run = promisify(execFile);
const { values: args } = parseArgs({ options: { samples: { type: "string", default: "5" }, mib: { type: "string", default: "30" }, write: { type: "boolean", default: false } } });
const SAMPLES = Math.max(1, Number(args.samples));
const MIB = Number(args.mib);
const RUN_ID = randomBytes(4).toString("hex");
const dockerConfig = mkdtempSync(join(tmpdir(), "wharf-bench-docker-"));
const docker = (...a: string[]) => run("docker", a, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, maxBuffer: 64 << 20 });
const made = new Set<string>();
const present = (ref: string) => docker("image", "inspect", ref).then(() => true, () => false);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function main(): Promise<void> {
  const account = `8${Array.from({ length: 11 }, () => Math.floor(Math.random() * 10)).join("")}`;
  process.env.WHARF_ACCOUNT_ID = account;
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-warm-"));
  const server = await startServer({ dataDir, port: 0, lbDataPlane: false });
  const agents: RunningAgent[] = [];
  const ecs = new ECSClient({ endpoint: server.url, region: "us-east-1", credentials: server.credentials });
  const ecr = new ECRClient({ endpoint: server.url, region: "us-east-1", credentials: server.credentials });
  const host = server.registryHost!;
  const repo = `wharf-test/warm-bench-${RUN_ID}`;
  const told = new Map<string, () => void>();
  const results: Record<string, number[]> = { "scale-out warm": [], "scale-out off": [], "direct warm": [], "direct off": [] };
  try {
    const token = Buffer.from((await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!, "base64").toString().slice(4);
    const login = spawn("docker", ["login", "-u", "AWS", "--password-stdin", host], { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ["pipe", "ignore", "inherit"] });
    login.stdin!.end(token);
    await new Promise((r) => login.once("exit", r));
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const modes = ["warm", "off"] as const;
    for (const mode of modes) {
      const cluster = `bench-warm-${mode}-${RUN_ID}`;
      await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      agents.push(
        await startAgent({
          endpoint: server.url,
          credentials: server.credentials,
          cluster,
          dataDir: join(dataDir, `agent-${mode}`),
          hostIp: "127.0.0.1",
          pollWaitMs: 20_000,
          warmStarts: mode === "warm",
          log: (l) => {
            if (l.msg === "warm starts are off: the listed images are not pulled ahead") for (const i of l.images as string[]) told.get(i)?.();
          },
        }),
      );
    }
    let n = 0;
    const sample = async (mode: "warm" | "off", scenario: "scale-out" | "direct") => {
      const cluster = `bench-warm-${mode}-${RUN_ID}`;
      const service = `svc-${scenario}`;
      const tag = `s${n++}`;
      // A fresh image: one layer of random bytes on wharf-test/busybox, pushed, then gone from Docker.
      const ctx = mkdtempSync(join(tmpdir(), "wharf-bench-ctx-"));
      writeFileSync(join(ctx, "blob"), randomBytes(MIB * 2 ** 20));
      writeFileSync(join(ctx, "Dockerfile"), "FROM wharf-test/busybox:latest\nCOPY blob /blob\n");
      const pushed = `${host}/${repo}:${tag}`;
      const image = `${account}.dkr.ecr.us-east-1.amazonaws.com/${repo}:${tag}`;
      made.add(pushed).add(image);
      await docker("build", "-q", "-t", pushed, ctx);
      rmSync(ctx, { recursive: true, force: true });
      await docker("push", pushed);
      await docker("rmi", pushed);
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `warm-bench-${RUN_ID}`,
          containerDefinitions: [{ name: "app", image, memory: 32, essential: true, command: ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'] }],
        }),
      );
      const tdArn = td.taskDefinition!.taskDefinitionArn!;
      let t0: number;
      if (scenario === "scale-out") {
        const heard = new Promise<void>((r) => told.set(image, r));
        await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: tdArn, desiredCount: 0 }));
        if (mode === "warm") await until(async () => ((await present(image)) ? true : undefined), "the pull ahead");
        else await heard;
        t0 = performance.now();
        await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 1 }));
      } else {
        t0 = performance.now();
        await ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition: tdArn, desiredCount: 1 }));
      }
      const arn = await until(async () => (await ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns?.[0], "the task");
      await until(async () => ((await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0]?.lastStatus === "RUNNING" ? true : undefined), "RUNNING");
      const ms = performance.now() - t0;
      results[`${scenario} ${mode}`]!.push(ms);
      console.log(`${scenario} ${mode}: ${ms.toFixed(0)} ms`);
      await ecs.send(new UpdateServiceCommand({ cluster, service, desiredCount: 0 }));
      await until(async () => ((await ecs.send(new ListTasksCommand({ cluster, serviceName: service }))).taskArns?.length ? undefined : true), "the task gone");
      await docker("rmi", "-f", image).catch(() => undefined);
      await docker("rmi", "-f", pushed).catch(() => undefined);
    };
    for (const mode of modes) {
      const cluster = `bench-warm-${mode}-${RUN_ID}`;
      for (const s of ["scale-out", "direct"]) await ecs.send(new CreateServiceCommand({ cluster, serviceName: `svc-${s}`, taskDefinition: await firstRevision(ecs), desiredCount: 0 }));
    }
    for (let i = 0; i < SAMPLES; i++) {
      const order = i % 2 === 0 ? modes : ([...modes].reverse() as typeof modes[number][]);
      for (const mode of order) {
        await sample(mode, "scale-out");
        await sample(mode, "direct");
      }
    }
  } finally {
    for (const a of agents) await a.close().catch(() => undefined);
    await server.close();
    for (const t of made) await docker("rmi", "-f", t).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dockerConfig, { recursive: true, force: true });
  }
  const line = (k: string) => `| ${k} | ${median(results[k]!).toFixed(0)} | ${Math.min(...results[k]!).toFixed(0)} | ${Math.max(...results[k]!).toFixed(0)} |`;
  const section = `## Warm starts: UpdateService → RUNNING

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`node dist/bench/warm-start.js --samples ${SAMPLES} --mib ${MIB}\` on ${cpus().length} CPUs (1-minute load average ${loadavg()[0]!.toFixed(1)}, other work sharing the machine). One Wharf, two in-process agents on the local Docker Engine (one with warm starts, one with \`warmStarts: false\`, each in its own cluster); each sample's image is new (wharf-test/busybox plus ${MIB} MiB of random bytes), pushed to Wharf's ECR and removed from Docker before the sample. **scale-out**: UpdateService to the new revision at desiredCount 0, then (once the agent has been told; warm: once the image is on Docker) the timed UpdateService desiredCount 1 → DescribeTasks shows RUNNING. **direct**: the timed UpdateService to the new revision with desiredCount 1 → RUNNING, where the task is placed at once and its pull is the pull ahead (no head start, by design: docs/services.md#warm-starts). ms, ${SAMPLES} samples each, alternating order.

| scenario | median | min | max |
|---|---|---|---|
${line("scale-out warm")}
${line("scale-out off")}
${line("direct warm")}
${line("direct off")}
`;
  console.log(section);
  if (args.write) writeBenchSection("Warm starts: UpdateService → RUNNING", section);
}

/** A first revision for the services (the cached wharf-test/busybox), registered once. */
let first: string | undefined;
async function firstRevision(ecs: ECSClient): Promise<string> {
  first ??= (
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `warm-bench-first-${RUN_ID}`,
        containerDefinitions: [{ name: "app", image: "wharf-test/busybox:latest", memory: 32, essential: true, command: ["sleep", "3600"] }],
      }),
    )
  ).taskDefinition!.taskDefinitionArn!;
  return first;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
