import { parseArn } from "../core/arn.js";
import { decideRotation, optedIn, rotationMessage, secretReferences, type SecretVersions } from "../core/secrets/rotation.js";
import type { TaskDefinitionDoc } from "../core/task-definition/build.js";
import { deleteSecretWatchOp, putSecretWatchOp, readSecretWatch, type SecretVersionPort } from "../records/secret-watch.js";
import { addEvents, isExternal, type ServiceDoc } from "../records/service-doc.js";
import { withNewDeployment } from "../records/service-redeploy.js";
import type { StoreDeps } from "../records/store-deps.js";
import { readTags } from "../records/tag-store.js";
import type { WriteOp } from "../store/store.js";
import { WorkQueue } from "./work-queue.js";

/**
 * Rotation that reaches running services (docs/secrets.md): for each ACTIVE service tagged
 * `wharf:redeploy-on-secret-change` = `true`, the versions of the secrets its task definition
 * references are compared with those its newest deployment started with (core/secrets/rotation.ts);
 * a moved version starts a new deployment — the normal rolling path, circuit breaker included —
 * with a service event naming the secret. Level-triggered: woken by writes of parameters, secrets,
 * services and tags, and a periodic resync.
 */
export interface SecretRotationOptions {
  /** Only the leader acts (as the service controller). */
  active?: () => boolean;
  /** A new deployment was written: the service controller should look at the service. */
  onRedeploy?: (serviceArn: string) => void;
  resyncMs?: number;
  log?: (line: string) => void;
}

export class SecretRotationController {
  readonly queue: WorkQueue;
  readonly #deps: StoreDeps;
  readonly #versions: SecretVersionPort;
  readonly #opts: SecretRotationOptions;
  #resync?: NodeJS.Timeout;

  constructor(deps: StoreDeps, versions: SecretVersionPort, opts: SecretRotationOptions = {}) {
    this.#deps = deps;
    this.#versions = versions;
    this.#opts = opts;
    this.queue = new WorkQueue((arn) => this.reconcile(arn), {
      concurrency: 2,
      onError: (key, err) => opts.log?.(`secret rotation: ${key}: ${err instanceof Error ? err.stack : String(err)}`),
    });
  }

  /** Committed writes: a parameter or secret → every service; a service or its tags → that one. */
  observe(ops: readonly WriteOp[]): void {
    if (this.#opts.active && !this.#opts.active()) return;
    let all = false;
    for (const op of ops) {
      if (this.#versions.kinds.includes(op.kind)) all = true;
      else if (op.kind === "service") this.queue.add(op.id);
      else if (op.kind === "tags" && op.id.includes(":service/")) this.queue.add(op.id);
    }
    if (all) void this.resync().catch(() => undefined);
  }

  start(): void {
    void this.resync().catch((e) => this.#opts.log?.(`secret rotation resync: ${String(e)}`));
    this.#resync = setInterval(() => void this.resync().catch(() => undefined), this.#opts.resyncMs ?? 30_000);
    this.#resync.unref?.();
  }

  async resync(): Promise<void> {
    if (this.#opts.active && !this.#opts.active()) return;
    for (const r of await this.#deps.store.list<ServiceDoc>("service")) if (r.value.status === "ACTIVE") this.queue.add(r.id);
  }

  async stop(): Promise<void> {
    if (this.#resync) clearInterval(this.#resync);
    await this.queue.stop();
  }

  /** One look at one service (the queue's handler; callable directly in tests). */
  async reconcile(serviceArn: string): Promise<void> {
    const { store } = this.#deps;
    const doc = (await store.get<ServiceDoc>("service", serviceArn))?.value;
    const watched = await readSecretWatch(store, serviceArn);
    if (!doc || doc.status !== "ACTIVE" || isExternal(doc) || !doc.taskDefinition || !optedIn(await readTags(store, serviceArn))) {
      if (watched) await store.write([deleteSecretWatchOp(serviceArn)]);
      return;
    }
    const owner = parseArn(serviceArn);
    if (!owner) return;
    const td = (await store.get<TaskDefinitionDoc>("taskdef", doc.taskDefinition))?.value;
    if (!td) return;
    const current: SecretVersions = {};
    for (const ref of secretReferences(td.containerDefinitions ?? [])) current[ref] = await this.#versions.versionOf(ref, owner);
    const decision = decideRotation(watched, doc.taskDefinition, current);
    if (decision.kind === "none") return;
    if (decision.kind === "record") {
      await store.write([putSecretWatchOp(serviceArn, decision.watch)]);
      return;
    }
    const started = await this.#deps.lock(serviceArn, async () => {
      const fresh = await store.get<ServiceDoc>("service", serviceArn);
      // Changed meanwhile (a user's UpdateService, a deletion): the next pass decides again.
      if (!fresh || fresh.value.status !== "ACTIVE" || fresh.value.taskDefinition !== doc.taskDefinition) return false;
      const base = fresh.value;
      const now = this.#deps.clock.now();
      const clusterName = base.clusterArn.slice(base.clusterArn.indexOf(":cluster/") + ":cluster/".length);
      const events = addEvents(base, [rotationMessage(base.serviceName, decision.changes)], now);
      const next = withNewDeployment(base, { ...base, events }, owner, clusterName, base.desiredCount, now);
      await store.write([
        { op: "put", kind: "service", id: serviceArn, scope: base.clusterArn, sort: base.serviceName, value: next, expectVersion: fresh.version },
        putSecretWatchOp(serviceArn, decision.watch),
      ]);
      return true;
    });
    if (started) this.#opts.onRedeploy?.(serviceArn);
  }
}
