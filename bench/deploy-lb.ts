/**
 * Rolling deploys behind a load balancer: wall time and failed requests during a deploy of a
 * web service (2 and 4 tasks, awsvpc, `ip` target group, HTTP listener) under a steady
 * keep-alive load, with the target group at ELB's defaults (health check every 30 s, 5 healthy /
 * 2 unhealthy, deregistration delay 300 s) — the defaults a user gets when they set nothing.
 *
 * Wharf's figure is measured: UpdateService → one deployment left, COMPLETED, old tasks
 * STOPPED (DescribeServices polled every 100 ms). ELB's figure is computed from the same
 * configured values and the same run's measured task start and stop times, since no ELB is
 * here: ELB turns a new target healthy after HealthyThresholdCount × HealthCheckIntervalSeconds
 * and keeps a deregistered target draining for the whole deregistration delay, so with
 * maximumPercent 200 (all new tasks at once) a deploy takes at least
 *   start + healthyThreshold × interval + deregistrationDelay
 * (= start + 5 × 30 s + 300 s with ELB's defaults; the old tasks' stop comes on top). Wharf's data plane ends a drain as
 * soon as nothing is in flight, and a new target turns healthy on its first passing check,
 * which runs at registration (docs/elbv2.md, "Deploys").
 *
 * One process holds a Wharf server (its own HAProxy), an in-process agent on the local Docker
 * Engine and the load generator (test/helpers/steady-load.ts).
 *
 * Run: `node dist/bench/deploy-lb.js [--rounds 2] [--rps 200] [--write]`
 * (`--write` replaces the "## Deploys behind a load balancer" section of docs/benchmarks.md.)
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { AgentWorld } from "../test/helpers/agent-tasks.js";
import { createLoadBalancer, targetStates } from "../test/helpers/lb-setup.js";
import { steadyLoad } from "../test/helpers/steady-load.js";
import { waitFor } from "../test/helpers/wait.js";
import { writeBenchSection } from "./lib/docs-section.js";
import { median } from "./lib/stats.js";

const { values: args } = parseArgs({ options: { rounds: { type: "string", default: "2" }, rps: { type: "string", default: "200" }, write: { type: "boolean", default: false } } });
const ROUNDS = Number(args.rounds);
const RPS = Number(args.rps);
const ELB = { interval: 30, healthy: 5, delay: 300 };

interface Round {
  tasks: number;
  deployMs: number;
  sent: number;
  failed: number;
  /** UpdateService → the last new task RUNNING (ms). */
  startMs: number;
}

const serve = (name: string) => ["sh", "-c", `mkdir -p /tmp/w && echo "${name} $(hostname)" > /tmp/w/index.html && echo ok > /tmp/w/health && exec httpd -f -p 5000 -h /tmp/w`];

async function main(): Promise<void> {
  const w = await new AgentWorld().start("deploybench");
  const rounds: Round[] = [];
  try {
    await w.agent({ eniLimit: 32 });
    const [subnet] = await w.defaultSubnets(1);
    for (const n of [2, 4]) {
      const name = `web${n}`;
      const lb = await createLoadBalancer(w.h, name, { targetType: "ip", port: 5000, healthCheck: ["--health-check-path", "/health"] });
      const register = async (rev: string) =>
        (
          await w.h.aws("ecs", "register-task-definition", "--family", name, "--network-mode", "awsvpc", "--container-definitions",
            JSON.stringify([{ name: "web", image: "wharf-test/busybox:latest", memory: 32, cpu: 16, essential: true, stopTimeout: 2, command: serve(rev), portMappings: [{ containerPort: 5000 }] }]))
        ).taskDefinition.taskDefinitionArn as string;
      const describe = async () => (await w.h.aws("ecs", "describe-services", "--cluster", w.cluster, "--services", name)).services[0];
      await w.h.aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", name, "--task-definition", await register("r0"), "--desired-count", String(n),
        "--launch-type", "EC2", "--network-configuration", `awsvpcConfiguration={subnets=[${subnet}]}`,
        "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=5000`);
      await waitFor(async () => ((await targetStates(w.h, lb.targetGroupArn)).filter((t) => t.state === "healthy").length === n ? true : undefined), { what: "targets healthy", timeoutMs: 120_000, intervalMs: 200 });
      for (let r = 1; r <= ROUNDS; r++) {
        const td = await register(`r${r}`);
        const load = steadyLoad({ host: lb.address, port: lb.listenerPort, rps: RPS });
        const t0 = Date.now();
        let deployMs = 0;
        try {
          await w.h.aws("ecs", "update-service", "--cluster", w.cluster, "--service", name, "--task-definition", td);
          await waitFor(
            async () => {
              const s = await describe();
              return s.deployments.length === 1 && s.deployments[0].taskDefinition === td && s.deployments[0].rolloutState === "COMPLETED" && s.runningCount === n ? s : undefined;
            },
            { what: "deployment COMPLETED", timeoutMs: 300_000, intervalMs: 100 },
          );
          deployMs = Date.now() - t0;
        } finally {
          const res = await load.stop();
          const arns: string[] = (await w.h.aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", name, "--desired-status", "STOPPED")).taskArns;
          const all = (await w.describe(arns)).concat(await w.describe((await w.h.aws("ecs", "list-tasks", "--cluster", w.cluster, "--service-name", name)).taskArns));
          const fresh = all.filter((t) => t.taskDefinitionArn === td);
          const startMs = Math.max(...fresh.map((t) => (t.startedAt?.getTime() ?? t0) - t0));
          rounds.push({ tasks: n, deployMs, sent: res.sent, failed: res.failed, startMs });
          console.log(`${n} tasks, round ${r}: deploy ${deployMs} ms, ${res.sent} requests, ${res.failed} failed; new tasks RUNNING after ${startMs} ms`);
          if (res.failed) console.log(`  failures: ${res.failures.join("; ")}`);
        }
      }
      await w.h.aws("ecs", "delete-service", "--cluster", w.cluster, "--service", name, "--force");
    }
  } finally {
    await w.close();
  }
  report(rounds);
}

function report(rounds: Round[]): void {
  const lines: string[] = [];
  lines.push("## Deploys behind a load balancer", "");
  lines.push(
    "`node dist/bench/deploy-lb.js` (bench/deploy-lb.ts): a rolling deploy (UpdateService to a new revision, minimumHealthyPercent 100, maximumPercent 200) of an awsvpc web",
    "service behind an `ip` target group and an HTTP listener whose health checks and deregistration delay are left at ELB's defaults (every 30 s, 5 healthy / 2 unhealthy,",
    `300 s), under ${RPS} requests/s of steady keep-alive load from the benchmark's own client. Wall time: UpdateService until one deployment is left, COMPLETED, old tasks STOPPED.`,
    "ELB's figure is not measured (no ELB here) but computed from the same values: start + healthy threshold × interval + deregistration delay, with this run's",
    "start (UpdateService → last new task RUNNING) — ELB turns a new target healthy after 5 × 30 s and drains for the whole 300 s; the old tasks' stop comes on top.",
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}; ${new Date().toISOString().slice(0, 10)}.`,
    "",
    "| tasks | rounds | Wharf deploy (median) | failed requests / sent | ELB's defaults (computed) |",
    "|---|---|---|---|---|",
  );
  for (const n of [...new Set(rounds.map((r) => r.tasks))]) {
    const rs = rounds.filter((r) => r.tasks === n);
    const elb = median(rs.map((r) => r.startMs)) + (ELB.healthy * ELB.interval + ELB.delay) * 1000;
    lines.push(
      `| ${n} | ${rs.length} | ${(median(rs.map((r) => r.deployMs)) / 1000).toFixed(1)} s | ${rs.reduce((a, r) => a + r.failed, 0)} / ${rs.reduce((a, r) => a + r.sent, 0)} | ≥ ${(elb / 1000).toFixed(0)} s |`,
    );
  }
  lines.push("", "Goal (issue 11, part 4): a 2-task web service redeploys in ≤ 45 s with zero failed requests, every ELB knob behaving as ELB's.");
  const text = lines.join("\n");
  console.log(`\n${text}`);
  if (args.write) writeBenchSection("Deploys behind a load balancer", text);
}

await main();
