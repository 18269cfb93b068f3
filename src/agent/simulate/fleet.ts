import { randomBytes } from "node:crypto";
import { DEFAULT_REGION } from "../../config.js";
import { resolveAgentCredentials } from "../agent.js";
import { type ApiCredentials, EcsAgentApi, EcsApiError } from "../api-client.js";
import { AGENT_POLL_WAIT_MS, MAX_POLL_MANY_INSTANCES } from "../../contracts/agent-protocol.js";
import { backoffDelay, sleep } from "../../core/backoff.js";
import { type FleetShape, instanceSpecs } from "./instance-specs.js";
import { VirtualInstance, type VirtualStatus } from "./virtual-instance.js";

/**
 * `wharf agent --simulate N`: N container instances in one process, for exercising the control
 * plane at thousands of hosts on one machine. Each instance registers with its own EC2 id, zone,
 * type and GPUs (instance-specs.ts) and runs its tasks as virtual containers
 * (virtual-instance.ts). Instances poll in groups over the agent channel's grouped poll
 * (`/_wharf/agent/poll-many`), so 5,000 instances hold a handful of connections; reports go
 * through a bounded number of concurrent SubmitTaskStateChange calls.
 */
export interface SimulateOptions extends Omit<FleetShape, "name" | "region" | "cluster"> {
  endpoint: string;
  cluster: string;
  region?: string;
  credentials?: ApiCredentials;
  serverDataDir?: string;
  /**
   * Instances per grouped poll (default 100, at most MAX_POLL_MANY_INSTANCES). Every change to
   * one instance answers its group's poll and the next poll names the whole group again, so
   * smaller groups cost the server less per change, at one held connection per group.
   */
  pollGroupSize?: number;
  pollWaitMs?: number;
  /** Concurrent RegisterContainerInstance calls (default 8). */
  registerConcurrency?: number;
  /** Concurrent state-change reports across the fleet (default 32). */
  reportConcurrency?: number;
  /** Delay between a task's PENDING and RUNNING reports (default 0). */
  runDelayMs?: number;
  log?: (line: Record<string, unknown>) => void;
}

export interface SimulatedInstance {
  containerInstanceArn: string;
  ec2InstanceId: string;
  availabilityZone: string;
  instanceType: string;
  gpuIds: string[];
}

export interface SimulatedFleet {
  instances: SimulatedInstance[];
  /** Tasks per last acknowledged status, over the whole fleet. */
  counts(): Record<VirtualStatus, number>;
  /** A task's last acknowledged status on its instance. */
  statusOf(taskArn: string): VirtualStatus | undefined;
  /** Resolves once no report is queued or in flight. */
  settled(): Promise<void>;
  /** Stops polling (instances stay registered; their agents read disconnected after the grace period). */
  close(): Promise<void>;
}

/** A counting semaphore: at most `n` of the wrapped calls run at once. */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export async function startSimulatedAgents(opts: SimulateOptions): Promise<SimulatedFleet> {
  const log = opts.log ?? (() => undefined);
  const region = opts.region ?? DEFAULT_REGION;
  const api = new EcsAgentApi(opts.endpoint, resolveAgentCredentials(opts), region);
  const abort = new AbortController();
  const specs = instanceSpecs({ ...opts, name: `${opts.cluster}/${randomBytes(6).toString("hex")}`, region });

  const registerSlot = limiter(Math.max(1, opts.registerConcurrency ?? 8));
  const registered = await Promise.all(
    specs.map((spec) =>
      registerSlot(async () => {
        const out = await retry(
          () => api.call<{ containerInstance: { containerInstanceArn: string } }>("RegisterContainerInstance", spec.registration),
          abort.signal,
        );
        return { ...spec, containerInstanceArn: out.containerInstance.containerInstanceArn };
      }),
    ),
  );
  log({ msg: "simulated instances registered", count: registered.length, cluster: opts.cluster });

  const reportSlot = limiter(Math.max(1, opts.reportConcurrency ?? 32));
  const send = (report: Parameters<EcsAgentApi["submitTaskStateChange"]>[0]) =>
    reportSlot(async () => {
      for (let attempt = 0; !abort.signal.aborted; attempt++) {
        try {
          await api.call("SubmitTaskStateChange", report as unknown as Record<string, unknown>);
          return true;
        } catch (err) {
          if (err instanceof EcsApiError && err.statusCode < 500 && err.code !== "ThrottlingException") return false;
          await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 }), abort.signal);
        }
      }
      return false;
    });
  const instances = registered.map((r) => new VirtualInstance(r.containerInstanceArn, opts.cluster, send, opts.runDelayMs ?? 0));
  const byArn = new Map(instances.map((v) => [v.containerInstanceArn, v]));

  const groupSize = Math.max(1, Math.min(MAX_POLL_MANY_INSTANCES, opts.pollGroupSize ?? 100));
  const loops: Promise<void>[] = [];
  const firstAnswers: Promise<void>[] = [];
  for (let i = 0; i < instances.length; i += groupSize) {
    const group = instances.slice(i, i + groupSize);
    let answered!: () => void;
    firstAnswers.push(new Promise<void>((resolve) => (answered = resolve)));
    const loop = pollGroup(api, opts.cluster, group, byArn, opts.pollWaitMs ?? AGENT_POLL_WAIT_MS, abort.signal, log, answered);
    loops.push(loop.finally(answered));
  }
  // Returned once every instance has been heard from (its agent reads connected) and has its task list.
  await Promise.all(firstAnswers);

  return {
    instances: registered.map(({ containerInstanceArn, ec2InstanceId, availabilityZone, instanceType, gpuIds }) => ({
      containerInstanceArn,
      ec2InstanceId,
      availabilityZone,
      instanceType,
      gpuIds,
    })),
    counts() {
      const out: Record<VirtualStatus, number> = { NEW: 0, PENDING: 0, RUNNING: 0, STOPPED: 0 };
      for (const v of instances) for (const [k, n] of Object.entries(v.counts())) out[k as VirtualStatus] += n;
      return out;
    },
    statusOf(taskArn) {
      for (const v of instances) {
        const s = v.statusOf(taskArn);
        if (s) return s;
      }
      return undefined;
    },
    async settled() {
      await Promise.all(instances.map((v) => v.settled()));
    },
    async close() {
      abort.abort();
      await Promise.all(loops);
    },
  };
}

/** One grouped long poll loop: applies each instance's listing, reconnects with backoff. */
async function pollGroup(
  api: EcsAgentApi,
  cluster: string,
  group: VirtualInstance[],
  byArn: Map<string, VirtualInstance>,
  waitMs: number,
  signal: AbortSignal,
  log: (line: Record<string, unknown>) => void,
  answered: () => void,
): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    const live = group.filter((v) => v.registered);
    if (live.length === 0) return;
    try {
      const res = await api.pollMany(
        { cluster, instances: live.map((v) => ({ containerInstanceArn: v.containerInstanceArn, afterSeq: v.seq })), waitMs },
        signal,
      );
      attempt = 0;
      for (const answer of res.instances) {
        const v = byArn.get(answer.containerInstanceArn);
        if (!v || answer.seq < v.seq) continue;
        v.seq = answer.seq;
        v.apply(answer.tasks);
        if (!answer.registered) v.registered = false;
      }
      answered();
    } catch (err) {
      if (signal.aborted) return;
      // After an outage take the server's next answers whatever their sequence (it may have restarted).
      for (const v of live) v.seq = 0;
      const delay = backoffDelay(attempt++, { initialMs: 200, maxMs: 15_000 });
      log({ msg: "simulated fleet poll failed, reconnecting", error: (err as Error).message, retryInMs: delay });
      await sleep(delay, signal);
    }
  }
}

/** Retries a call while the control plane is unreachable or failing (5xx); client errors are final. */
async function retry<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (signal.aborted || (err instanceof EcsApiError && err.statusCode < 500 && err.code !== "ThrottlingException")) throw err;
      await sleep(backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 }), signal);
    }
  }
}
