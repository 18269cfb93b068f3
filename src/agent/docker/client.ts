import { CannotPullContainerError, DockerApiError, daemonMessage } from "./errors.js";
import {
  call,
  describeEndpoint,
  type DockerEndpoint,
  jsonLines,
  openRequest,
  parseDockerHost,
  resolveDockerHost,
} from "./transport.js";
import type { DockerStatsSample } from "../../core/ecs-metrics/docker-stats.js";
import type {
  ContainerInspect,
  ContainerSummary,
  CreateContainerBody,
  DockerEvent,
  DockerInfo,
  DockerVersion,
} from "./types.js";

const q = encodeURIComponent;

/** Splits an image reference into the `fromImage` and `tag` (or digest) that POST /images/create wants. */
export function splitImageRef(ref: string): { name: string; tag: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf("/");
  const colon = ref.lastIndexOf(":");
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: "latest" };
}

/**
 * A small Docker Engine client over its socket, pinned to API 1.41. Only what the agent needs;
 * every method maps to one Engine endpoint and throws DockerApiError / DockerUnavailable.
 */
export class DockerClient {
  readonly endpoint: DockerEndpoint;
  constructor(dockerHost?: string) {
    this.endpoint = parseDockerHost(resolveDockerHost(dockerHost));
  }

  get where(): string {
    return describeEndpoint(this.endpoint);
  }

  async ping(): Promise<void> {
    await call(this.endpoint, { method: "GET", path: "/_ping", timeoutMs: 5_000 }).catch((err) => {
      // _ping answers text "OK", which is not JSON: only real failures matter here.
      if (err instanceof SyntaxError) return;
      throw err;
    });
  }

  info(): Promise<DockerInfo> {
    return call(this.endpoint, { method: "GET", path: "/info" });
  }

  version(): Promise<DockerVersion> {
    return call(this.endpoint, { method: "GET", path: "/version" });
  }

  /** Image inspect; undefined when the image is not in the local cache. */
  async inspectImage(ref: string): Promise<{ Id: string; RepoDigests?: string[] } | undefined> {
    try {
      return await call(this.endpoint, { method: "GET", path: `/images/${q(ref)}/json` });
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  /**
   * Pulls an image, consuming the progress stream. Docker reports most failures inside a 200
   * stream (`{"error": ...}`), some as an HTTP error: both become CannotPullContainerError.
   */
  async pullImage(ref: string, signal?: AbortSignal, registryAuth?: string): Promise<void> {
    const { name, tag } = splitImageRef(ref);
    let res;
    try {
      res = await openRequest(this.endpoint, {
        method: "POST",
        path: `/images/create?fromImage=${q(name)}&tag=${q(tag)}`,
        signal,
        timeoutMs: 5 * 60_000,
        ...(registryAuth ? { headers: { "x-registry-auth": registryAuth } } : {}),
      });
    } catch (err) {
      if (err instanceof DockerApiError) throw new CannotPullContainerError(daemonMessage(err));
      throw err;
    }
    for await (const line of jsonLines<{ error?: string; errorDetail?: { message?: string } }>(res)) {
      if (line.error || line.errorDetail) {
        res.destroy();
        throw new CannotPullContainerError(`Error response from daemon: ${line.errorDetail?.message ?? line.error}`);
      }
    }
  }

  /** `docker tag SOURCE REPO:TAG`. */
  async tagImage(source: string, repo: string, tag: string): Promise<void> {
    await call(this.endpoint, { method: "POST", path: `/images/${q(source)}/tag?repo=${q(repo)}&tag=${q(tag)}` });
  }

  async createContainer(name: string, body: CreateContainerBody): Promise<string> {
    const out = await call<{ Id: string }>(this.endpoint, {
      method: "POST",
      path: `/containers/create?name=${q(name)}`,
      body,
    });
    return out.Id;
  }

  async startContainer(id: string): Promise<void> {
    await call(this.endpoint, { method: "POST", path: `/containers/${q(id)}/start` });
  }

  /** `docker stop -t`: SIGTERM, then SIGKILL after `timeoutSec`. Already stopped is fine. */
  async stopContainer(id: string, timeoutSec: number): Promise<void> {
    try {
      await call(this.endpoint, {
        method: "POST",
        path: `/containers/${q(id)}/stop?t=${timeoutSec}`,
        timeoutMs: (timeoutSec + 30) * 1000,
      });
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 304) return;
      throw err;
    }
  }

  async killContainer(id: string, signal = "SIGKILL"): Promise<void> {
    await call(this.endpoint, { method: "POST", path: `/containers/${q(id)}/kill?signal=${q(signal)}` });
  }

  /** Removes a container (force, with anonymous volumes); a missing one is fine. */
  /**
   * Force-removes a container with its anonymous volumes. Gone already (404) is success; a removal
   * another caller started (409 "removal of container … is already in progress") is awaited with
   * the Engine's `wait?condition=removed` (bounded by 60 s without an answer) rather than failed.
   */
  async removeContainer(id: string): Promise<void> {
    try {
      await call(this.endpoint, { method: "DELETE", path: `/containers/${q(id)}?force=true&v=true` });
    } catch (err) {
      if (err instanceof DockerApiError && err.statusCode === 404) return;
      if (err instanceof DockerApiError && err.statusCode === 409 && /already in progress/.test(err.message)) {
        await call(this.endpoint, { method: "POST", path: `/containers/${q(id)}/wait?condition=removed`, timeoutMs: 60_000 }).catch(
          (waitErr: unknown) => {
            if (!(waitErr instanceof DockerApiError && waitErr.statusCode === 404)) throw waitErr;
          },
        );
        return;
      }
      throw err;
    }
  }

  /** `size`: also report SizeRw (bytes written to the writable layer), which costs a walk of the layer. */
  inspectContainer(id: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
    return call(this.endpoint, { method: "GET", path: `/containers/${q(id)}/json${opts.size ? "?size=1" : ""}` });
  }

  /**
   * One stats sample (`GET /containers/{id}/stats?stream=false&one-shot=true`): the Engine answers
   * its latest collection (about a second's wait) without the second cycle `precpu_stats` needs;
   * the caller compares with its own previous sample. Cheaper than one open stream per container,
   * which the Engine writes every second (docs/cloudwatch.md#awsecs-metrics).
   */
  containerStats(id: string, signal?: AbortSignal): Promise<DockerStatsSample> {
    return call(this.endpoint, { method: "GET", path: `/containers/${q(id)}/stats?stream=false&one-shot=true`, timeoutMs: 15_000, ...(signal ? { signal } : {}) });
  }

  /** Every container (running or not) carrying all the given labels. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const filters = JSON.stringify({ label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) });
    return call(this.endpoint, { method: "GET", path: `/containers/json?all=true&filters=${q(filters)}` });
  }

  /** Resolves the exit code once the container is not running (at once if it already is not). */
  async waitContainer(id: string, signal?: AbortSignal): Promise<number> {
    const out = await call<{ StatusCode: number }>(this.endpoint, {
      method: "POST",
      path: `/containers/${q(id)}/wait?condition=not-running`,
      signal,
      timeoutMs: 0,
    });
    return out.StatusCode;
  }

  /** Container events for the given label filters, until the signal aborts. */
  async *events(labels: Record<string, string>, signal: AbortSignal): AsyncGenerator<DockerEvent> {
    const filters = JSON.stringify({
      type: ["container"],
      label: Object.entries(labels).map(([k, v]) => `${k}=${v}`),
    });
    const res = await openRequest(this.endpoint, { method: "GET", path: `/events?filters=${q(filters)}`, signal });
    yield* jsonLines<DockerEvent>(res);
  }
}
