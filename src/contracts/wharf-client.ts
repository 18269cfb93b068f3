import { signSigV4 } from "../edge/sigv4.js";
import {
  AGENT_POLL_MANY_PATH,
  AGENT_CREDENTIALS_PATH,
  AGENT_POLL_PATH,
  type PollManyRequest,
  type PollManyResponse,
  type PollRequest,
  type TaskCredentialsRequest,
  type TaskRoleCredentials,
  type PollResponse,
} from "./agent-protocol.js";

const TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";

export interface ApiCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token, sent as X-Amz-Security-Token. */
  sessionToken?: string;
}

/** An error answer of the ECS API, with the AWS error code (`__type`) and HTTP status. */
export class EcsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
    /** The answer's x-amzn-RequestId, when it had one. */
    readonly requestId?: string,
  ) {
    super(`${code}: ${message}`);
    this.name = "EcsApiError";
  }
}

/**
 * Wharf's own client, shared by the agent and the CLI: SigV4-signed (service `ecs`) ECS JSON 1.1
 * calls, JSON 1.1 calls to the other services on the same endpoint, Wharf's internal `/_wharf/`
 * routes and the long-poll of the agent channel. Plain fetch, no SDK, so the agent stays
 * dependency-free.
 */
export class WharfClient {
  private readonly url: URL;
  constructor(
    endpoint: string,
    private readonly credentials: ApiCredentials,
    private readonly region: string,
  ) {
    this.url = new URL(endpoint);
  }

  private async post(
    path: string,
    headers: Record<string, string>,
    body: string,
    signal?: AbortSignal,
    scope: { service: string; region: string } = { service: "ecs", region: this.region },
  ): Promise<unknown> {
    const signed = signSigV4({
      method: "POST",
      url: path,
      host: this.url.host,
      headers: this.credentials.sessionToken ? { ...headers, "x-amz-security-token": this.credentials.sessionToken } : headers,
      body,
      accessKeyId: this.credentials.accessKeyId,
      secretAccessKey: this.credentials.secretAccessKey,
      region: scope.region,
      service: scope.service,
    });
    delete signed.host;
    const res = await fetch(new URL(path, this.url), { method: "POST", headers: signed, body, signal });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      /* not JSON */
    }
    if (!res.ok) {
      const type = String(parsed.__type ?? parsed.code ?? `HTTP${res.status}`);
      const code = type.slice(type.lastIndexOf("#") + 1);
      throw new EcsApiError(code, String(parsed.message ?? parsed.Message ?? text), res.status, res.headers.get("x-amzn-requestid") ?? undefined);
    }
    return parsed;
  }

  /** One ECS API call. */
  call<T>(operation: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
    return this.post(
      "/",
      { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${TARGET_PREFIX}.${operation}` },
      JSON.stringify(input),
      signal,
    ) as Promise<T>;
  }

  /**
   * One JSON 1.1 call to another service served on the same endpoint, signed for that service
   * and Region (CloudWatch Logs: prefix `Logs_20140328`, service `logs`, the log group's Region).
   */
  callService<T>(
    target: { prefix: string; service: string; region: string },
    operation: string,
    input: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.post(
      "/",
      { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${target.prefix}.${operation}` },
      JSON.stringify(input),
      signal,
      { service: target.service, region: target.region },
    ) as Promise<T>;
  }

  /** One long-poll of the agent channel. */
  poll(req: PollRequest, signal?: AbortSignal): Promise<PollResponse> {
    return this.internal<PollResponse>(AGENT_POLL_PATH, req, signal);
  }

  /** A task's role credentials (agent-protocol.ts, AGENT_CREDENTIALS_PATH). */
  taskCredentials(req: TaskCredentialsRequest, signal?: AbortSignal): Promise<TaskRoleCredentials> {
    return this.internal<TaskRoleCredentials>(AGENT_CREDENTIALS_PATH, req, signal);
  }

  /** One grouped long-poll for many instances (simulated fleets). */
  pollMany(req: PollManyRequest, signal?: AbortSignal): Promise<PollManyResponse> {
    return this.internal<PollManyResponse>(AGENT_POLL_MANY_PATH, req, signal);
  }

  /** A signed JSON call to one of Wharf's internal endpoints (`/_wharf/...`, service `ecs`). */
  internal<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.post(path, { "content-type": "application/json" }, JSON.stringify(body), signal) as Promise<T>;
  }
}
