import { request, type IncomingMessage } from "node:http";
import { DockerApiError, DockerUnavailable } from "./errors.js";

/** Engine API version the agent speaks: Docker 20.10 (Debian 12's docker.io) tops out at 1.41. */
export const DOCKER_API_VERSION = "1.41";
export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

/** Where the Engine listens: a unix socket, or a plain-HTTP TCP address. */
export type DockerEndpoint = { socketPath: string } | { host: string; port: number };

/** `--docker-host`, else DOCKER_HOST, else the default socket. */
export function resolveDockerHost(flag?: string): string {
  return flag ?? process.env.DOCKER_HOST ?? DEFAULT_DOCKER_HOST;
}

export function parseDockerHost(spec: string): DockerEndpoint {
  if (spec.startsWith("unix://")) return { socketPath: spec.slice("unix://".length) };
  if (spec.startsWith("/")) return { socketPath: spec };
  const m = /^(?:tcp|http):\/\/([^:/]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(spec);
  if (!m) throw new Error(`--docker-host must be unix:///path or tcp://host:port, got '${spec}'`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: m[2] ? Number(m[2]) : 2375 };
}

export const describeEndpoint = (ep: DockerEndpoint): string =>
  "socketPath" in ep ? ep.socketPath : `tcp://${ep.host}:${ep.port}`;

export interface DockerRequest {
  method: string;
  /** Path below /v1.41, with query string. */
  path: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Milliseconds without progress before the request fails; 0 = none (long waits, streams). */
  timeoutMs?: number;
  /** Extra request headers (X-Registry-Auth on pulls). */
  headers?: Record<string, string>;
}

const CONNECT_ERRORS = new Set(["ENOENT", "ECONNREFUSED", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ENOTFOUND"]);

/** Opens a request and resolves the response once headers arrive; non-2xx statuses become DockerApiError. */
export function openRequest(ep: DockerEndpoint, req: DockerRequest): Promise<IncomingMessage> {
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  return new Promise((resolve, reject) => {
    const r = request(
      {
        ...("socketPath" in ep ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
        method: req.method,
        path: `/v${DOCKER_API_VERSION}${req.path}`,
        headers: {
          host: "docker",
          ...req.headers,
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
        },
        signal: req.signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(res);
        readAll(res).then(
          (buf) => reject(new DockerApiError(status, errorMessage(buf, status))),
          (err: Error) => reject(err),
        );
      },
    );
    if (req.timeoutMs) {
      r.setTimeout(req.timeoutMs, () => r.destroy(new Error(`Docker did not answer ${req.method} ${req.path} within ${req.timeoutMs} ms`)));
    }
    r.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code && CONNECT_ERRORS.has(err.code) && !r.reusedSocket) {
        reject(new DockerUnavailable(describeEndpoint(ep), err.code));
      } else reject(err);
    });
    r.end(payload);
  });
}

export function readAll(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on("data", (c: Buffer) => chunks.push(c));
    res.on("end", () => resolve(Buffer.concat(chunks)));
    res.on("error", reject);
    res.on("aborted", () => reject(new Error("Docker closed the response early")));
  });
}

function errorMessage(buf: Buffer, status: number): string {
  const text = buf.toString("utf8").trim();
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (parsed.message) return parsed.message;
  } catch {
    /* not JSON */
  }
  return text || `HTTP ${status}`;
}

/** Calls the API and parses the JSON answer (undefined for empty bodies). */
export async function call<T>(ep: DockerEndpoint, req: DockerRequest): Promise<T> {
  const res = await openRequest(ep, { timeoutMs: 60_000, ...req });
  const buf = await readAll(res);
  if (buf.length === 0) return undefined as T;
  return JSON.parse(buf.toString("utf8")) as T;
}

/** Iterates a newline-delimited JSON stream (pull progress, events). */
export async function* jsonLines<T>(res: IncomingMessage): AsyncGenerator<T> {
  let rest = "";
  for await (const chunk of res) {
    rest += (chunk as Buffer).toString("utf8");
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
  if (rest.trim()) yield JSON.parse(rest.trim()) as T;
}
