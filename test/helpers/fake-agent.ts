import { type ECSClient, RegisterContainerInstanceCommand, SubmitTaskStateChangeCommand } from "@aws-sdk/client-ecs";
import { AGENT_POLL_PATH, type PollResponse } from "../../src/contracts/agent-protocol.js";
import { signSigV4 } from "../../src/edge/sigv4.js";
import type { TestWharf } from "./harness.js";

/**
 * A tiny stand-in for `wharf agent` that speaks the agent channel without Docker: it registers
 * an instance, long-polls for its task list, and (with `autoRun`) reports each task RUNNING
 * when it appears and STOPPED when its desired status turns STOPPED. It tests the control
 * plane's side of the contract only; the real agent has its own tests.
 */
export interface FakeAgentOptions {
  cluster: string;
  cpu?: number;
  memory?: number;
  /** Reserved TCP ports (registered PORTS). */
  ports?: string[];
  instanceId?: string;
  availabilityZone?: string;
  attributes?: { name: string; value?: string }[];
  autoRun?: boolean;
  waitMs?: number;
}

export class FakeAgent {
  arn = "";
  seq = 0;
  latest: PollResponse | undefined;
  responses = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private started = new Set<string>();
  private stopped = new Set<string>();
  private waiters: (() => void)[] = [];

  constructor(
    private readonly h: TestWharf,
    readonly opts: FakeAgentOptions,
  ) {}

  get ecs(): ECSClient {
    return this.h.ecs;
  }

  async register(containerInstanceArn?: string): Promise<string> {
    const o = this.opts;
    const out = await this.h.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: o.cluster,
        instanceIdentityDocument: JSON.stringify({
          instanceId: o.instanceId ?? "i-0123456789abcdef0",
          availabilityZone: o.availabilityZone ?? "us-east-1a",
          region: "us-east-1",
          instanceType: "wharf.local",
          privateIp: "127.0.0.1",
        }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: o.cpu ?? 2048 },
          { name: "MEMORY", type: "INTEGER", integerValue: o.memory ?? 4096 },
          { name: "PORTS", type: "STRINGSET", stringSetValue: o.ports ?? ["22", "2375", "2376", "51678", "51679"] },
          { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
        ],
        versionInfo: { agentVersion: "0.0.0-fake", agentHash: "fake", dockerVersion: "none" },
        attributes: o.attributes ?? [{ name: "ecs.os-type", value: "linux" }],
        ...(containerInstanceArn ? { containerInstanceArn } : {}),
      }),
    );
    this.arn = out.containerInstance!.containerInstanceArn!;
    return this.arn;
  }

  /** One signed poll; resolves the HTTP status and the parsed body. */
  async poll(afterSeq: number, waitMs = 0, opts: { unsigned?: boolean; signal?: AbortSignal } = {}) {
    const url = new URL(AGENT_POLL_PATH, this.h.server.url);
    const body = JSON.stringify({ cluster: this.opts.cluster, containerInstanceArn: this.arn, afterSeq, waitMs });
    const headers = opts.unsigned
      ? { "content-type": "application/json" }
      : signSigV4({
          method: "POST",
          url: AGENT_POLL_PATH,
          host: url.host,
          headers: { "content-type": "application/json" },
          body,
          accessKeyId: this.h.server.credentials.accessKeyId,
          secretAccessKey: this.h.server.credentials.secretAccessKey,
          region: "us-east-1",
          service: "ecs",
        });
    const { host: _host, ...sendHeaders } = headers as Record<string, string>;
    const res = await fetch(url, { method: "POST", headers: sendHeaders, body, signal: opts.signal });
    return { status: res.status, body: (await res.json()) as PollResponse & { __type?: string } };
  }

  /** Starts the long-poll loop. */
  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        this.abort = new AbortController();
        try {
          const r = await this.poll(this.seq, this.opts.waitMs ?? 20_000, { signal: this.abort.signal });
          if (r.status !== 200) throw new Error(`poll answered ${r.status} ${JSON.stringify(r.body)}`);
          if (r.body.seq >= this.seq) {
            this.seq = r.body.seq;
            this.latest = r.body;
          }
          this.responses++;
          if (this.opts.autoRun) await this.act(r.body);
          for (const w of this.waiters.splice(0)) w();
          if (!r.body.registered) break;
        } catch {
          if (this.running) await new Promise((res) => setTimeout(res, 50));
        }
      }
    })();
  }

  /**
   * Ends the poll loop. With `finishPoll` the poll in flight is answered first (so the server
   * has seen it end) instead of being hung up on.
   */
  async stop(opts: { finishPoll?: boolean } = {}): Promise<void> {
    this.running = false;
    if (!opts.finishPoll) this.abort?.abort();
    await this.loop;
  }

  /** Resolves the first poll answer (current or future) that satisfies `pred`. */
  async waitFor(pred: (r: PollResponse) => boolean, timeoutMs = 5000): Promise<PollResponse> {
    const deadline = Date.now() + timeoutMs;
    while (!(this.latest && pred(this.latest))) {
      if (Date.now() > deadline) throw new Error(`fake agent: condition not met; latest ${JSON.stringify(this.latest)}`);
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 100);
      });
    }
    return this.latest;
  }

  report(task: string, status: string, extra: Omit<ConstructorParameters<typeof SubmitTaskStateChangeCommand>[0], "task" | "status"> = {}) {
    return this.h.ecs.send(new SubmitTaskStateChangeCommand({ cluster: this.opts.cluster, task, status, ...extra }));
  }

  private async act(r: PollResponse): Promise<void> {
    for (const t of r.tasks) {
      if (t.desiredStatus === "RUNNING" && !this.started.has(t.taskArn)) {
        this.started.add(t.taskArn);
        const now = new Date();
        await this.report(t.taskArn, "PENDING", { pullStartedAt: now, pullStoppedAt: now });
        await this.report(t.taskArn, "RUNNING", {
          containers: t.containers.map((c, i) => ({
            containerName: c.name,
            status: "RUNNING",
            runtimeId: `fake-${t.taskArn.slice(-8)}-${i}`,
            networkBindings: [{ bindIP: "0.0.0.0", containerPort: 80, hostPort: 32768 + i, protocol: "tcp" }],
          })),
        });
      } else if (t.desiredStatus === "STOPPED" && !this.stopped.has(t.taskArn)) {
        this.stopped.add(t.taskArn);
        await this.report(t.taskArn, "STOPPED", {
          reason: t.stoppedReason,
          containers: t.containers.map((c) => ({ containerName: c.name, status: "STOPPED", exitCode: 143 })),
        });
      }
    }
  }
}
