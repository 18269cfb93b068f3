import type { EcrPullPlan, EcrPulls } from "../ecr-pull.js";
import { setMaxListeners } from "node:events";
import { ECS_LABELS, WHARF_LABELS } from "../container-config.js";
import type { DockerClient } from "../docker/client.js";
import { splitImageRef } from "../docker/client.js";
import { CannotPullContainerError, daemonMessage } from "../docker/errors.js";
import type { TaskAssignment } from "../../contracts/agent-protocol.js";
import { ManagedTask } from "./managed-task.js";
import type { PullAs, PulledImage, TaskContext } from "./task-context.js";
import type { Reporter } from "./reporter.js";
import type { MetadataEndpoint } from "../metadata/server.js";
import type { CredentialsContext } from "../credentials/task-hook.js";
import type { DnsContext } from "../dns/task-hook.js";
import { systemNeighborFlush } from "../network/neighbors.js";
import { taskSetupFactory } from "../network/task-setup.js";
import { HealthMonitor } from "../health/monitor.js";
import { releaseTaskResources } from "./task-resources.js";
import type { LogShipper } from "../logs/shipper.js";
import { type TaskLogsOptions, withTaskLogs } from "../logs/task-hooks.js";
import type { TaskSetupFactory } from "../network/task-setup.js";

/** The task setup with log shipping around it, when the agent ships logs. */
const withLogs = (setup: TaskSetupFactory, logs: TaskLogsOptions | undefined): TaskSetupFactory =>
  logs ? withTaskLogs(setup, logs) : setup;

export interface TaskEngineOptions {
  docker: DockerClient;
  reporter: Reporter;
  containerInstanceArn: string;
  /** Address bridge-mode host ports bind to (several agents on one machine use 127.0.0.x). */
  hostIp?: string;
  log?: (line: Record<string, unknown>) => void;
  /** Root of the EFS stand-in directories (e.g. <agent data dir>/efs); EFS volumes fail without it. */
  efsRoot?: string;
  /** Image of awsvpc pause containers (default: the first cached of src/agent/network/awsvpc.ts's candidates). */
  pauseImage?: string;
  /** The task metadata endpoint: when set, every container gets its URIs. */
  metadata?: MetadataEndpoint;
  /** Ships awslogs/awsfirelens containers' output (src/agent/logs); without it those lines stay in json-file. */
  logs?: { shipper: LogShipper; defaultRegion: string };
  /** The security group firewall (awsvpc tasks start once the latest policy is in force). */
  firewall?: { settled(): Promise<void>; networksChanged?(): Promise<void> };
  /** Task role credentials (src/agent/credentials): served to tasks with a role. */
  credentials?: CredentialsContext;
  /** Tasks' resolver (src/agent/dns): 169.254.169.253 relayed to Wharf's DNS server. */
  dns?: DnsContext;
  /** Fetches containers' `secrets[]` (src/agent/secrets.ts) with the task's execution role. */
  secrets?: TaskContext["secrets"];
  /** Pulls from Wharf's ECR registry (src/agent/ecr-pull.ts): token, X-Registry-Auth, the task definition's name. */
  ecr?: EcrPulls;
  /**
   * ECS_IMAGE_PULL_BEHAVIOR: `default` (pull; the cached image if the pull fails), `always` (pull;
   * a failed pull fails the task), `once` (pull the first time this agent needs the image, then the
   * cached one), `prefer-cached` (the cached image if there is one, else pull).
   */
  imagePullBehavior?: ImagePullBehavior;
}

export type ImagePullBehavior = "default" | "always" | "once" | "prefer-cached";
export const IMAGE_PULL_BEHAVIORS: readonly ImagePullBehavior[] = ["default", "always", "once", "prefer-cached"];

/** How many finished task ARNs to remember so a late listing never starts a task twice. */
const FINISHED_MEMORY = 10_000;

/**
 * All tasks of one container instance. It turns each desired-task listing into work for the
 * tasks' own loops, adopts containers that outlived a previous agent, and shares image pulls.
 */
export class TaskEngine {
  private readonly tasks = new Map<string, ManagedTask>();
  private readonly finished = new Set<string>();
  /** Containers found at start-up, by task ARN then container name, waiting for their assignment. */
  private readonly adoptable = new Map<string, Map<string, string>>();
  private readonly pulls = new Map<string, Promise<PulledImage>>();
  /** Images this agent has pulled (ECS_IMAGE_PULL_BEHAVIOR=once). */
  private readonly pulledOnce = new Set<string>();
  private readonly abort = new AbortController();
  private readonly ctx: TaskContext;

  constructor(private readonly opts: TaskEngineOptions) {
    const log = opts.log ?? (() => undefined);
    // Every task loop and report retry listens on the engine's one abort signal.
    setMaxListeners(0, this.abort.signal);
    const flushNeighbors = systemNeighborFlush(log);
    this.ctx = {
      docker: opts.docker,
      reporter: opts.reporter,
      containerInstanceArn: opts.containerInstanceArn,
      hostIp: opts.hostIp,
      signal: this.abort.signal,
      pull: (image, as) => this.pull(image, as),
      health: new HealthMonitor(opts.docker, { [WHARF_LABELS.instanceArn]: opts.containerInstanceArn }, this.abort.signal, log),
      efsRoot: opts.efsRoot,
      setup: withLogs(
        taskSetupFactory({
          docker: opts.docker,
          containerInstanceArn: opts.containerInstanceArn,
          pull: (image) => this.pull(image),
          log,
          pauseImage: opts.pauseImage,
          flushNeighbors,
          metadata: opts.metadata,
          firewall: opts.firewall,
          ...(opts.credentials ? { credentials: opts.credentials } : {}),
          ...(opts.dns ? { dns: opts.dns } : {}),
        }),
        opts.logs && { ...opts.logs, signal: this.abort.signal, log },
      ),
      log,
      flushNeighbors,
      ...(opts.secrets ? { secrets: opts.secrets } : {}),
    };
  }

  /** The labels that mark this instance's containers. */
  get instanceLabel(): Record<string, string> {
    return { [WHARF_LABELS.instanceArn]: this.opts.containerInstanceArn };
  }

  /** Finds containers left by an earlier run of this instance's agent; call before the first apply(). */
  async loadExisting(): Promise<number> {
    const found = await this.opts.docker.listContainers(this.instanceLabel);
    for (const c of found) {
      const task = c.Labels[ECS_LABELS.taskArn];
      const name = c.Labels[ECS_LABELS.containerName];
      if (!task || !name || this.tasks.has(task)) continue;
      let byName = this.adoptable.get(task);
      if (!byName) this.adoptable.set(task, (byName = new Map()));
      byName.set(name, c.Id);
    }
    return found.length;
  }

  /**
   * Applies a desired-task listing. With `complete` (a whole poll answer), tasks and adoptable
   * containers it does not list are finished on the control plane's side: stop and remove them.
   */
  apply(assignments: TaskAssignment[], opts: { complete?: boolean } = {}): void {
    if (this.abort.signal.aborted) return;
    const listed = new Set<string>();
    for (const a of assignments) {
      listed.add(a.taskArn);
      const existing = this.tasks.get(a.taskArn);
      if (existing) {
        existing.update(a);
        continue;
      }
      if (this.finished.has(a.taskArn)) continue;
      this.spawn(a, this.adoptable.get(a.taskArn));
      this.adoptable.delete(a.taskArn);
    }
    if (!opts.complete) return;
    for (const [arn, task] of this.tasks) if (!listed.has(arn)) task.stop();
    for (const [arn, byName] of this.adoptable) {
      this.adoptable.delete(arn);
      this.ctx.log({ msg: "removing containers of a task the control plane no longer lists", task: arn });
      const removals = [...byName.values()].map((id) =>
        this.opts.docker.stopContainer(id, 10).then(
          () => this.opts.docker.removeContainer(id),
          () => this.opts.docker.removeContainer(id),
        ).catch(() => undefined),
      );
      // Then the task's own volumes and cgroup.
      void Promise.all(removals).then(() => releaseTaskResources(this.opts.docker, arn, this.ctx.log)).catch(() => undefined);
    }
  }

  private spawn(a: TaskAssignment, adopted?: Map<string, string>): void {
    const task = new ManagedTask(this.ctx, a, adopted);
    this.tasks.set(a.taskArn, task);
    void task.done.then(() => {
      if (this.abort.signal.aborted) return;
      this.tasks.delete(a.taskArn);
      this.finished.add(a.taskArn);
      if (this.finished.size > FINISHED_MEMORY) this.finished.delete(this.finished.values().next().value!);
    });
  }

  task(taskArn: string): ManagedTask | undefined {
    return this.tasks.get(taskArn);
  }

  /** Resolves when the task's loop has ended (STOPPED acknowledged and containers removed). */
  async whenDone(taskArn: string): Promise<void> {
    await this.tasks.get(taskArn)?.done;
  }

  get runningTaskArns(): string[] {
    return [...this.tasks.keys()];
  }

  /**
   * Pulls as `imagePullBehavior` says (ECS's default: pull; on failure use the cached image, else
   * CannotPullContainerError). `as`: the task whose execution role asks for Wharf's ECR token (as
   * ECS pulls private ECR images); without it the agent's own keys ask. Pulls of one image for
   * different execution roles are not shared.
   * Resolves the pulled image's registry digest (the container's `imageDigest`) when Docker knows it.
   */
  pull(image: string, as?: PullAs): Promise<PulledImage> {
    const key = as ? `${image}\n${as.taskArn}` : image;
    let p = this.pulls.get(key);
    if (!p) {
      p = this.pullOnce(image, as).finally(() => this.pulls.delete(key));
      this.pulls.set(key, p);
    }
    return p;
  }

  private async pullOnce(image: string, as?: PullAs): Promise<PulledImage> {
    const behavior = this.opts.imagePullBehavior ?? "default";
    if (behavior === "prefer-cached" || (behavior === "once" && this.pulledOnce.has(image))) {
      if (await this.opts.docker.inspectImage(image).catch(() => undefined)) {
        const digest = await this.repoDigest(image);
        return digest ? { digest } : {};
      }
    }
    try {
      const plan = await this.ecrPlan(image, as);
      const ref = plan?.pullRef ?? image;
      await this.opts.docker.pullImage(ref, this.abort.signal, plan?.auth);
      if (plan?.tagAs) await this.opts.docker.tagImage(plan.pullRef, plan.tagAs.repo, plan.tagAs.tag);
      this.pulledOnce.add(image);
      const digest = await this.repoDigest(ref);
      // A digest name on an ECR host cannot be given to the pulled image: create from the registry's name.
      const localRef = plan && !plan.tagAs && ref !== image ? ref : undefined;
      return { ...(digest ? { digest } : {}), ...(localRef ? { localRef } : {}) };
    } catch (err) {
      if (behavior !== "always" && (await this.opts.docker.inspectImage(image).catch(() => undefined))) {
        this.ctx.log({ msg: "pull failed, using the cached image", image, error: (err as Error).message });
        const digest = await this.repoDigest(image);
        return digest ? { digest } : {};
      }
      if (err instanceof CannotPullContainerError) throw err;
      throw new CannotPullContainerError(daemonMessage(err));
    }
  }

  /** The `sha256:` digest of `ref` as its registry knows it (RepoDigests), if any. */
  private async repoDigest(ref: string): Promise<string | undefined> {
    const info = await this.opts.docker.inspectImage(ref).catch(() => undefined);
    const { name } = splitImageRef(ref);
    const repo = name.includes("/") ? name : `docker.io/library/${name}`;
    const all = info?.RepoDigests ?? [];
    const hit = all.find((d) => d.startsWith(`${name}@`) || d.startsWith(`${repo}@`)) ?? (all.length === 1 ? all[0] : undefined);
    return hit?.slice(hit.indexOf("@") + 1);
  }

  private async ecrPlan(image: string, as?: PullAs): Promise<EcrPullPlan | undefined> {
    if (!this.opts.ecr) return undefined;
    try {
      return await this.opts.ecr.plan(image, as?.taskArn);
    } catch (err) {
      throw new CannotPullContainerError(`could not get an ECR authorization token for ${image}: ${(err as Error).message}`);
    }
  }

  /**
   * Stops every loop without touching containers, as a killed agent would: the next agent
   * adopts what runs. Resolves once the loops have ended.
   */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.tasks.values()].map((t) => t.done));
  }
}
