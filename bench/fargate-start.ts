/**
 * Fargate task start: RunTask (launchType FARGATE) → DescribeTasks shows RUNNING, against the EC2
 * launch type (awsvpc too, so both do the same network work) and against raw `docker run -d` of
 * the same image and command, in the same run, on the same Docker Engine, image cached.
 *
 * One process holds a Wharf server (temp data dir, random port), one in-process agent in a
 * cluster (EC2) and one in the managed Fargate capacity (`startAgent({ fargate: true })`, what
 * `wharf up` runs). Samples alternate in a rotating order; each task is stopped and its
 * containers gone before the next sample starts. Prints p50/p99 and the ratios at p50.
 * Goal: Fargate p50 ≤ 1 s (AWS: 30–60 s).
 *
 * Run: `node dist/bench/fargate-start.js [--tasks 20] [--write]`
 * (`--write` replaces the "## Fargate task start" section of docs/benchmarks.md.)
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs, promisify } from "node:util";
import { type RunningAgent, startAgent } from "../src/agent/agent.js";
import { EcsAgentApi } from "../src/agent/api-client.js";
import { WHARF_LABELS } from "../src/agent/container-config.js";
import { DockerClient } from "../src/agent/docker/client.js";
import { subnetNetworkName } from "../src/agent/network/docker-networks.js";
import { call as dockerCall } from "../src/agent/docker/transport.js";
import { type RunningServer, startServer } from "../src/server.js";
import { lookupSubnet } from "../src/api/ec2/lookup.js";
import { listIn } from "../src/api/ec2/deps.js";
import type { SubnetDoc } from "../src/api/ec2/docs.js";

/** The default subnet of us-east-1a (the default network is made on first lookup). */
async function lookupDefaultSubnet(server: RunningServer): Promise<string | undefined> {
  const p = { region: "us-east-1", accountId: server.accountId };
  await lookupSubnet(server.deps, p, "subnet-0");
  return (await listIn<SubnetDoc>(server.deps, "ec2-subnet", "us-east-1")).find((s) => s.defaultForAz && s.availabilityZone === "us-east-1a")?.subnetId;
}
import { writeBenchSection } from "./lib/docs-section.js";
import { percentile } from "./lib/stats.js";

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    tasks: { type: "string", default: "20" },
    image: { type: "string", default: "wharf-test/busybox:latest" },
    write: { type: "boolean", default: false },
  },
});
const N = Math.max(10, Number(args.tasks));
const IMAGE = args.image!;
const CMD = ["sh", "-c", 'trap "exit 0" TERM; sleep 3600 & wait'];
const RUN_ID = Math.random().toString(16).slice(2, 10);
let SUBNET = "";
const now = () => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const pct = percentile;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-fargate-"));
  // Its own default VPC block, clear of AWS's 172.31/16 that other Wharfs on this Engine may use.
  const server = await startServer({ dataDir, port: 0, defaultVpcCidr: `10.${200 + Math.floor(Math.random() * 8)}.0.0/16` });
  SUBNET = (await lookupDefaultSubnet(server))!;
  const api = new EcsAgentApi(server.url, server.credentials, "us-east-1");
  const docker = new DockerClient();
  const agents: RunningAgent[] = [];
  const cluster = `bench-fg-${RUN_ID}`;
  try {
    await api.call("CreateCluster", { clusterName: cluster });
    const common = { endpoint: server.url, credentials: server.credentials, pollWaitMs: 20_000, log: () => undefined };
    agents.push(await startAgent({ ...common, cluster, dataDir: join(dataDir, "ec2"), hostIp: "127.0.0.1", eniLimit: 10 }));
    agents.push(await startAgent({ ...common, cluster: "fargate", fargate: true, dataDir: join(dataDir, "fargate") }));
    const td = (family: string, compat: string) => ({
      family,
      networkMode: "awsvpc",
      requiresCompatibilities: [compat],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: IMAGE, command: CMD, stopTimeout: 2 }],
    });
    await api.call("RegisterTaskDefinition", td("bench-fargate", "FARGATE"));
    await api.call("RegisterTaskDefinition", td("bench-ec2", "EC2"));
    const network = { awsvpcConfiguration: { subnets: [SUBNET] } };

    const wharfSample = async (launchType: "FARGATE" | "EC2"): Promise<number> => {
      const t0 = now();
      const out = await api.call<{ tasks: { taskArn: string }[]; failures: unknown[] }>("RunTask", {
        cluster,
        taskDefinition: launchType === "FARGATE" ? "bench-fargate" : "bench-ec2",
        launchType,
        networkConfiguration: network,
      });
      const arn = out.tasks[0]?.taskArn;
      if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(out.failures)}`);
      let ms: number | undefined;
      while (ms === undefined) {
        const d = await api.call<{ tasks: { lastStatus: string; stoppedReason?: string }[] }>("DescribeTasks", { cluster, tasks: [arn] });
        const s = d.tasks[0]!.lastStatus;
        if (s === "RUNNING") ms = now() - t0;
        else if (s === "STOPPED") throw new Error(`stopped before RUNNING: ${d.tasks[0]!.stoppedReason}`);
        else if (now() - t0 > 30_000) throw new Error(`not RUNNING after 30 s (${s})`);
        else await sleep(10);
      }
      await api.call("StopTask", { cluster, task: arn });
      for (const a of agents) await Promise.race([a.engine.whenDone(arn), sleep(30_000)]);
      return ms;
    };
    const dockerSample = async (): Promise<number> => {
      const t0 = now();
      const { stdout } = await run("docker", ["run", "-d", "--label", `wharf.bench.fargate=${RUN_ID}`, IMAGE, ...CMD]);
      const ms = now() - t0;
      await docker.removeContainer(stdout.trim());
      return ms;
    };

    const kinds = ["fargate", "ec2", "docker"] as const;
    const samples: Record<(typeof kinds)[number], number[]> = { fargate: [], ec2: [], docker: [] };
    const take = (k: (typeof kinds)[number]) => (k === "docker" ? dockerSample() : wharfSample(k === "fargate" ? "FARGATE" : "EC2"));
    for (const k of kinds) await take(k); // warm-up: networks, pause image, first registrations
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < kinds.length; j++) {
        const k = kinds[(i + j) % kinds.length]!;
        samples[k].push(await take(k));
      }
      if ((i + 1) % 5 === 0) process.stderr.write(`  ${i + 1}/${N} rounds\n`);
    }
    const row = (label: string, xs: number[]) => `| ${label} | ${pct(xs, 50).toFixed(0)} | ${pct(xs, 99).toFixed(0)} |`;
    const p50 = (k: (typeof kinds)[number]) => pct(samples[k], 50);
    const dockerVersion = execFileSync("docker", ["version", "--format", "{{.Server.Version}}"]).toString().trim();
    const section = [
      "## Fargate task start",
      "",
      `RunTask → DescribeTasks RUNNING (polled every 10 ms), image cached, ${N} samples each, rotating order; ` +
        `\`node dist/bench/fargate-start.js --tasks ${N}\` on ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ` +
        `${Math.round(totalmem() / 2 ** 30)} GiB, Docker ${dockerVersion}, Node ${process.version}.`,
      "",
      "| launch | p50 ms | p99 ms |",
      "|---|---|---|",
      row("FARGATE (managed capacity, awsvpc, 256 CPU / 512 MiB)", samples.fargate),
      row("EC2 (registered instance, awsvpc, same size)", samples.ec2),
      row("`docker run -d` (same image and command, bridge)", samples.docker),
      "",
      `FARGATE / EC2 at p50: ${(p50("fargate") / p50("ec2")).toFixed(2)}×; FARGATE / docker run: ${(p50("fargate") / p50("docker")).toFixed(2)}×. ` +
        `Goal: FARGATE p50 ≤ 1000 ms (AWS Fargate: 30–60 s) — ${p50("fargate") <= 1000 ? "met" : "NOT met"}.`,
      "",
    ].join("\n");
    console.log(section);
    if (args.write) writeBenchSection("Fargate task start", section);
  } finally {
    for (const a of agents) {
      await a.close();
      const left = await docker.listContainers({ [WHARF_LABELS.instanceArn]: a.containerInstanceArn });
      await Promise.all(left.map((c) => docker.removeContainer(c.Id).catch(() => undefined)));
    }
    const mine = await docker.listContainers({ "wharf.bench.fargate": RUN_ID });
    await Promise.all(mine.map((c) => docker.removeContainer(c.Id).catch(() => undefined)));
    await dockerCall(docker.endpoint, { method: "DELETE", path: `/networks/${encodeURIComponent(subnetNetworkName(SUBNET))}` }).catch(() => undefined);
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
