/**
 * ECR registry: `docker push` and `docker pull` of a ~100 MB, 4-layer image through Wharf's
 * registry (token check, repository and tag index, then Debian's docker-registry behind it)
 * against the same docker-registry with no auth and nothing in front, on the same machine in the
 * same run. Each round starts both afresh (empty storage, so no layer is already there) and
 * alternates which goes first; a pull starts with the image's layers gone from Docker.
 *
 * The image is wharf-test/ecr-bench:latest (FROM wharf-test/busybox, four layers of random bytes),
 * built here and removed at the end with every tag the bench made.
 *
 * Run: npx tsc -p . && node dist/bench/ecr.js [--rounds 3] [--mib 100] [--write]
 */
import { ECRClient, CreateRepositoryCommand, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import { registryConfig } from "../src/registry/registry-process.js";
import { startServer } from "../src/server.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { freePort } from "./lib/net.js";
import { median } from "./lib/stats.js";

const run = promisify(execFile);
const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "3" }, mib: { type: "string", default: "100" }, write: { type: "boolean", default: false } } });
const ROUNDS = Number(args.rounds);
const MIB = Number(args.mib);
const LAYERS = 4;
const IMAGE = "wharf-test/ecr-bench:latest";
const dockerConfig = mkdtempSync(join(tmpdir(), "wharf-bench-docker-"));
const docker = (...a: string[]) => run("docker", a, { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, maxBuffer: 64 << 20 });
const madeTags = new Set<string>();

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

async function buildImage(): Promise<void> {
  const ctx = mkdtempSync(join(tmpdir(), "wharf-bench-ctx-"));
  try {
    const lines = ["FROM wharf-test/busybox:latest"];
    for (let i = 0; i < LAYERS; i++) {
      writeFileSync(join(ctx, `blob${i}`), randomBytes(Math.round((MIB * 2 ** 20) / LAYERS)));
      lines.push(`COPY blob${i} /blob${i}`);
    }
    writeFileSync(join(ctx, "Dockerfile"), lines.join("\n") + "\n");
    await docker("build", "-q", "-t", IMAGE, ctx);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

/** Push IMAGE as `target`, then drop every local copy and pull it back; restores IMAGE from the pull. */
async function pushPull(target: string): Promise<{ push: number; pull: number }> {
  madeTags.add(target);
  await docker("tag", IMAGE, target);
  const push = await timed(() => docker("push", target));
  await docker("rmi", IMAGE, target);
  const pull = await timed(() => docker("pull", target));
  await docker("tag", target, IMAGE);
  await docker("rmi", target);
  return { push, pull };
}

async function bareRound(): Promise<{ push: number; pull: number }> {
  const dir = mkdtempSync(join(tmpdir(), "wharf-bench-registry-"));
  const port = await freePort();
  mkdirSync(join(dir, "storage"));
  writeFileSync(join(dir, "config.yml"), registryConfig(join(dir, "storage"), port, randomBytes(16).toString("hex")));
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  try {
    for (let i = 0; i < 300 && !(await fetch(`http://127.0.0.1:${port}/v2/`).then((r) => r.ok, () => false)); i++) await new Promise((r) => setTimeout(r, 50));
    return await pushPull(`127.0.0.1:${port}/bench:latest`);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function wharfRound(): Promise<{ push: number; pull: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), "wharf-bench-ecr-"));
  const server = await startServer({ dataDir, port: 0, lbDataPlane: false, serviceController: false });
  try {
    const ecr = new ECRClient({ endpoint: server.url, region: "us-east-1", credentials: server.credentials });
    const repo = (await ecr.send(new CreateRepositoryCommand({ repositoryName: "bench" }))).repository!;
    const token = Buffer.from((await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0]!.authorizationToken!, "base64").toString().slice(4);
    const login = spawn("docker", ["login", "-u", "AWS", "--password-stdin", server.registryHost!], { env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ["pipe", "ignore", "inherit"] });
    login.stdin!.end(token);
    await new Promise((r) => login.once("exit", r));
    // The distribution registry behind the front starts on first use: start it before the clock does.
    const auth = `Basic ${Buffer.from(`AWS:${token}`).toString("base64")}`;
    await fetch(`http://${server.registryHost}/v2/bench/blobs/sha256:${"0".repeat(64)}`, { method: "HEAD", headers: { authorization: auth } });
    return await pushPull(`${repo.repositoryUri}:latest`);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}


async function main() {
  const load = loadavg()[0]!.toFixed(1);
  await buildImage();
  const bare: { push: number; pull: number }[] = [];
  const wharf: { push: number; pull: number }[] = [];
  try {
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2 === 0) {
        bare.push(await bareRound());
        wharf.push(await wharfRound());
      } else {
        wharf.push(await wharfRound());
        bare.push(await bareRound());
      }
      console.log(`round ${r + 1}: bare push ${bare[r]!.push.toFixed(2)} s pull ${bare[r]!.pull.toFixed(2)} s; wharf push ${wharf[r]!.push.toFixed(2)} s pull ${wharf[r]!.pull.toFixed(2)} s`);
    }
  } finally {
    for (const t of madeTags) await docker("rmi", t).catch(() => undefined);
    await docker("rmi", IMAGE).catch(() => undefined);
    rmSync(dockerConfig, { recursive: true, force: true });
  }
  const row = (what: "push" | "pull") => {
    const b = median(bare.map((x) => x[what]));
    const w = median(wharf.map((x) => x[what]));
    return `| docker ${what} | ${(MIB / b).toFixed(1)} MiB/s (${b.toFixed(2)} s) | ${(MIB / w).toFixed(1)} MiB/s (${w.toFixed(2)} s) | ${(b / w).toFixed(2)}× |`;
  };
  const { stdout: dv } = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
  const section = [
    "## ECR registry",
    "",
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC with \`node dist/bench/ecr.js --rounds ${ROUNDS} --mib ${MIB}\` on ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, Docker Engine ${dv.trim()}; 1-minute load average ${load} at the start.`,
    "",
    `A ${MIB} MiB image of ${LAYERS} random layers (on wharf-test/busybox) pushed and pulled with the docker CLI: through Wharf's registry (token check, repository and tag index, then docker-registry behind it) and to the same Debian docker-registry with no auth and nothing in front. Fresh storage every round (no layer already there; Wharf's registry process already started), the order alternating; medians of ${ROUNDS} rounds. Goal: Wharf ≥ 0.8× the bare registry's throughput.`,
    "",
    "| | bare docker-registry | Wharf | Wharf / bare |",
    "|---|---|---|---|",
    row("push"),
    row("pull"),
    "",
  ].join("\n");
  console.log(section);
  if (args.write) writeBenchSection("ECR registry", section);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
