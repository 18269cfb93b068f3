import { MAX_USAGE_TASKS, type TaskUsageSample, type UsageReport } from "../contracts/agent-protocol.js";
import { sleep } from "../core/backoff.js";
import { cpuPercent, cpuUnitsOf, type DockerStatsSample, MIB, memoryUsedBytes } from "../core/ecs-metrics/docker-stats.js";

/** A RUNNING task and its running containers' Docker ids. */
export interface SampledTask {
  taskArn: string;
  dockerIds: string[];
}

export interface UsageSamplerOptions {
  /** The tasks to sample now (RUNNING ones, their RUNNING containers). */
  tasks: () => SampledTask[];
  stats: (dockerId: string, signal: AbortSignal) => Promise<DockerStatsSample>;
  report: (r: Omit<UsageReport, "cluster" | "containerInstanceArn">, signal: AbortSignal) => Promise<unknown>;
  intervalMs: number;
  now: () => number;
  /** Stats calls in flight at once (default 4): the Engine answers each after about a second. */
  concurrency?: number;
  log?: (l: Record<string, unknown>) => void;
}

/**
 * The agent's usage loop (agent-protocol.ts, AGENT_USAGE_PATH): every `intervalMs` (counted from
 * the end of the last round) it takes one one-shot stats sample of each running container of
 * each RUNNING task (at most MAX_USAGE_TASKS), computes each task's CPU units over the interval
 * from its previous sample and its memory now, and reports them. Nothing running: no Docker
 * call and no report. A failed round is logged and the next one goes on.
 */
export class UsageSampler {
  private readonly prev = new Map<string, DockerStatsSample>();
  private readonly abort = new AbortController();
  private readonly loop: Promise<void>;

  constructor(private readonly o: UsageSamplerOptions) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      await sleep(this.o.intervalMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      await this.round().catch((err: unknown) => {
        if (!signal.aborted) this.o.log?.({ level: "warn", msg: "usage sampling failed", error: (err as Error).message });
      });
    }
  }

  /** One sampling round now (the loop calls it; tests may too). */
  async round(): Promise<TaskUsageSample[]> {
    const signal = this.abort.signal;
    const tasks = this.o.tasks().filter((t) => t.dockerIds.length).slice(0, MAX_USAGE_TASKS);
    const ids = tasks.flatMap((t) => t.dockerIds);
    const samples = new Map<string, DockerStatsSample>();
    let next = 0;
    const worker = async () => {
      while (next < ids.length && !signal.aborted) {
        const id = ids[next++]!;
        const s = await this.o.stats(id, signal).catch(() => undefined);
        if (s) samples.set(id, s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.o.concurrency ?? 4, ids.length) }, worker));
    const out: TaskUsageSample[] = [];
    for (const t of tasks) {
      let cpu: number | undefined = 0;
      let mem: number | undefined = 0;
      for (const id of t.dockerIds) {
        const cur = samples.get(id);
        const before = this.prev.get(id);
        const pct = cur && before ? cpuPercent(before, cur) : undefined;
        cpu = cpu === undefined || pct === undefined ? undefined : cpu + cpuUnitsOf(pct);
        const m = cur ? memoryUsedBytes(cur) : undefined;
        mem = mem === undefined || m === undefined ? undefined : mem + m / MIB;
      }
      if (cpu === undefined && mem === undefined) continue;
      out.push({ taskArn: t.taskArn, ...(cpu !== undefined ? { cpuUnits: round2(cpu) } : {}), ...(mem !== undefined ? { memoryMiB: round2(mem) } : {}) });
    }
    // Only the containers still running keep a previous sample.
    this.prev.clear();
    for (const [id, s] of samples) this.prev.set(id, s);
    if (out.length && !signal.aborted) await this.o.report({ sampledAt: this.o.now(), tasks: out }, signal);
    return out;
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;
