import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import type { DockerClient } from "../docker/client.js";
import { call } from "../docker/transport.js";
import type { NetworkMode } from "../container-config.js";
import { bridgeGateway } from "../network/docker-networks.js";
import type { TaskEni } from "../../contracts/agent-protocol.js";
import { containerResponse, type FullInspect, type MetadataTask, networkModeOf, type ResponseContext, taskResponse } from "./responses.js";
import type { TaskCredentials } from "../credentials/task-credentials.js";
import { credentialsAnswer } from "./credentials-handler.js";
import { containerToken, loadMetadataState, newMetadataSecret, saveMetadataState } from "./state.js";

/**
 * The task metadata endpoint (v4, and v3 at `/v3/`) the agent serves to its containers.
 *
 * One HTTP listener on 0.0.0.0 at a port kept across restarts (metadata-endpoint.json in the
 * agent's data dir). Each container's URI points at an address it can reach in its network
 * mode: the default bridge's gateway (bridge), its subnet's gateway (awsvpc), 127.0.0.1 (host);
 * `none` gets no URI, as it has no network. A request is answered only when its token names a
 * container of a task this agent runs AND it comes from that task: from one of its containers'
 * addresses (bridge), its task address (awsvpc) or the host itself (host mode). Anything else
 * gets 404, so a container can read its own task's metadata and nobody else's.
 */

export interface MetadataEndpointOptions {
  docker: DockerClient;
  /** The agent's data dir (port and token secret live there). */
  dataDir: string;
  context: ResponseContext;
  containerInstanceArn: string;
  /** The task the agent runs under this ARN, if any. */
  task(taskArn: string): MetadataTask | undefined;
  /** Resource tags as `ListTagsForResource` answers them (for /taskWithTags). */
  listTags?(resourceArn: string): Promise<Record<string, string>>;
  /** Task role credentials: when set, `/v2/credentials/<id>` (and `/v1/credentials?id=`) serve them. */
  credentials?: TaskCredentials;
  /**
   * Task scale-in protection for `$ECS_AGENT_URI/task-protection/v1/state`: ECS's
   * GetTaskProtection (no update) or UpdateTaskProtection for the one task, answered as ECS does.
   */
  taskProtection?(taskArn: string, update?: { protectionEnabled: boolean; expiresInMinutes?: number }): Promise<TaskProtectionAnswer>;
  /** Listen address (default 0.0.0.0: containers reach it through their gateway). */
  listenHost?: string;
  log?(line: Record<string, unknown>): void;
}

/** What ECS's Get/UpdateTaskProtection answer for one task. */
export interface TaskProtectionAnswer {
  protectedTasks?: { taskArn?: string; protectionEnabled?: boolean; expirationDate?: number | string }[];
  failures?: { arn?: string; reason?: string; detail?: string }[];
}

/** The agent API variable of every container (task protection lives under it). */
export const AGENT_URI_ENV = "ECS_AGENT_URI";

/** The environment variables ECS gives every container. */
export const METADATA_ENV = { v4: "ECS_CONTAINER_METADATA_URI_V4", v3: "ECS_CONTAINER_METADATA_URI" } as const;
/** The variables the SDKs read task role credentials from. */
export const CREDENTIALS_ENV = { relative: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", full: "AWS_CONTAINER_CREDENTIALS_FULL_URI" } as const;

const json = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
};

const plainIp = (addr: string | undefined): string => (addr ?? "").replace(/^::ffff:/, "");

export class MetadataEndpoint {
  private readonly tokens = new Map<string, { taskArn: string; name: string }>();
  /** Credentials ids → their task. */
  private readonly credentialIds = new Map<string, string>();
  private constructor(
    private readonly o: MetadataEndpointOptions,
    private readonly server: Server,
    private readonly secret: string,
    readonly port: number,
    /** What bridge-mode containers reach the host on. */
    readonly bridgeGateway: string,
  ) {}

  /** Starts listening on the saved port (a new one when it is taken or there is none). */
  static async start(o: MetadataEndpointOptions): Promise<MetadataEndpoint> {
    const saved = loadMetadataState(o.dataDir);
    const secret = saved?.secret ?? newMetadataSecret();
    let endpoint: MetadataEndpoint | undefined;
    const server = createServer((req, res) => {
      if (!endpoint) return json(res, 503, "starting");
      endpoint.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) json(res, 500, `task metadata handler: ${err.message}`);
        else res.destroy();
      });
    });
    const host = o.listenHost ?? "0.0.0.0";
    const listen = (port: number) =>
      new Promise<number>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          resolve((server.address() as AddressInfo).port);
        });
      });
    let port: number;
    try {
      port = await listen(saved?.port ?? 0);
    } catch (err) {
      o.log?.({ msg: "metadata endpoint port taken; containers from an earlier run lose their endpoint", port: saved?.port, error: (err as Error).message });
      port = await listen(0);
    }
    saveMetadataState(o.dataDir, { port, secret });
    endpoint = new MetadataEndpoint(o, server, secret, port, await bridgeGateway(o.docker));
    return endpoint;
  }

  /** The endpoint's address as seen from a container in `mode` (undefined: unreachable, no URI). */
  addressFor(mode: NetworkMode, eni: TaskEni | undefined): string | undefined {
    if (mode === "awsvpc") return eni?.subnetGatewayIpv4Address;
    if (mode === "bridge") return this.bridgeGateway;
    if (mode === "host") return "127.0.0.1";
    return undefined;
  }

  /**
   * The metadata variables for one container (and its token registered), or none when the
   * container cannot reach the endpoint. Stable across restarts: the same task and container
   * always get the same URIs from the same agent data dir.
   */
  envFor(taskArn: string, name: string, mode: NetworkMode, eni: TaskEni | undefined): string[] {
    const addr = this.addressFor(mode, eni);
    if (!addr) return [];
    const token = containerToken(this.secret, taskArn, name);
    this.tokens.set(token, { taskArn, name });
    const base = `http://${addr}:${this.port}`;
    return [`${METADATA_ENV.v4}=${base}/v4/${token}`, `${METADATA_ENV.v3}=${base}/v3/${token}`, `${AGENT_URI_ENV}=${base}/api/${token}`];
  }

  /**
   * A task's credentials id: an HMAC of its ARN under the agent's secret, shaped like the UUIDs
   * ECS uses (unguessable, and the same after an agent restart for adopted containers).
   */
  credentialsId(taskArn: string): string {
    const id = containerToken(this.secret, taskArn, "~credentials");
    this.credentialIds.set(id, taskArn);
    return id;
  }

  /** A bridge container's MAC (locally administered, derived like the tokens: stable across restarts). */
  macFor(taskArn: string, name: string): string {
    const h = containerToken(this.secret, taskArn, `~mac\n${name}`).replace(/-/g, "");
    return ["02", ...(h.slice(0, 10).match(/../g) ?? [])].join(":");
  }

  /**
   * The credentials variable for a container of a task with a role: the relative URI the SDKs
   * resolve against 169.254.170.2 (bridge, awsvpc: redirected to this listener), or for host
   * mode the full URI on 127.0.0.1 (the SDKs accept loopback full URIs), where no per-container
   * redirect can tell tasks apart. `none` has no network and gets none.
   */
  credentialsEnvFor(taskArn: string, mode: NetworkMode): string[] {
    if (mode === "none") return [];
    const path = `/v2/credentials/${this.credentialsId(taskArn)}`;
    return mode === "host" ? [`${CREDENTIALS_ENV.full}=http://127.0.0.1:${this.port}${path}`] : [`${CREDENTIALS_ENV.relative}=${path}`];
  }

  /** Drops a finished task's tokens. */
  forget(taskArn: string): void {
    for (const [token, v] of this.tokens) if (v.taskArn === taskArn) this.tokens.delete(token);
    for (const [id, arn] of this.credentialIds) if (arn === taskArn) this.credentialIds.delete(id);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async inspectAll(task: MetadataTask): Promise<Map<string, FullInspect>> {
    const out = new Map<string, FullInspect>();
    await Promise.all(
      task.snapshot().containers.map(async (c) => {
        if (!c.dockerId) return;
        const info = (await this.o.docker.inspectContainer(c.dockerId, { size: task.assignment.launchType === "FARGATE" }).catch(() => undefined)) as FullInspect | undefined;
        if (info) out.set(c.name, info);
      }),
    );
    return out;
  }

  /** Whether `source` is this task: one of its addresses, or (host mode) the host itself. */
  private fromTask(task: MetadataTask, infos: ReadonlyMap<string, FullInspect>, source: string): boolean {
    const mode = networkModeOf(task.assignment);
    if (mode === "awsvpc") return source === task.assignment.eni?.privateIpv4Address;
    if (mode === "host") {
      return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => plainIp(a.address) === source));
    }
    if (mode === "bridge") {
      for (const info of infos.values()) {
        const nets = Object.values(info.NetworkSettings?.Networks ?? {}).map((n) => n.IPAddress);
        if ([info.NetworkSettings?.IPAddress, ...nets].includes(source)) return true;
      }
    }
    return false;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [pathPart, query] = (req.url ?? "/").split("?") as [string, string | undefined];
    const parts = pathPart.split("/").filter(Boolean);
    const [version, token, ...rest] = parts;
    if (version === "api" && token && rest.join("/") === "task-protection/v1/state") return this.taskProtection(req, res, token);
    if (req.method !== "GET" && req.method !== "HEAD") return json(res, 405, "Only GET is supported.");
    if ((version === "v1" || version === "v2") && token === "credentials" && rest.length <= 1) {
      const id = version === "v2" ? (rest[0] ?? "") : (new URLSearchParams(query ?? "").get("id") ?? "");
      const answer = await credentialsAnswer(version, id, {
        taskOf: (credId) => {
          const arn = this.credentialIds.get(credId);
          return arn ? this.o.task(arn) : undefined;
        },
        fromTask: async (task) => this.fromTask(task, await this.inspectAll(task), plainIp(req.socket.remoteAddress)),
        credentials: this.o.credentials,
      });
      return json(res, answer.status, answer.body);
    }
    if ((version !== "v4" && version !== "v3") || !token) return json(res, 404, "Not found.");
    const known = this.tokens.get(token);
    const task = known ? this.o.task(known.taskArn) : undefined;
    const refused = `${version.toUpperCase()} task metadata handler: unable to get task arn from request: unknown id ${token}`;
    if (!known || !task) return json(res, 404, refused);
    const infos = await this.inspectAll(task);
    if (!this.fromTask(task, infos, plainIp(req.socket.remoteAddress))) return json(res, 404, refused);
    const path = rest.join("/");
    const ctx = this.o.context;
    switch (path) {
      case "":
        return json(res, 200, containerResponse(task, known.name, infos.get(known.name), ctx));
      case "task":
        return json(res, 200, taskResponse(task, infos, ctx));
      case "taskWithTags":
        return json(res, 200, taskResponse(task, infos, ctx, await this.tags(task.assignment.taskArn)));
      case "stats": {
        const info = infos.get(known.name);
        return json(res, 200, info ? await this.stats(info.Id) : null);
      }
      case "task/stats": {
        const entries = await Promise.all([...infos.values()].map(async (i) => [i.Id, await this.stats(i.Id)] as const));
        return json(res, 200, Object.fromEntries(entries));
      }
      default:
        return json(res, 404, `${version.toUpperCase()} task metadata handler: no such path /${path}`);
    }
  }

  /**
   * `$ECS_AGENT_URI/task-protection/v1/state`: GET reads, PUT `{"ProtectionEnabled", "ExpiresInMinutes"}`
   * sets the caller's own task's protection, answered in the agent's shapes: `{"protection": {…}}`,
   * `{"failure": {"Arn", "Reason", "Detail"}}` or `{"error": {"Arn", "Code", "Message"}}`.
   */
  private async taskProtection(req: IncomingMessage, res: ServerResponse, token: string): Promise<void> {
    const known = this.tokens.get(token);
    const task = known ? this.o.task(known.taskArn) : undefined;
    if (!known || !task || !this.fromTask(task, await this.inspectAll(task), plainIp(req.socket.remoteAddress))) {
      return json(res, 404, { error: { Code: "AccessDeniedException", Message: "Invalid request: no task was found" } });
    }
    const taskArn = known.taskArn;
    if (!this.o.taskProtection) return json(res, 500, { error: { Arn: taskArn, Code: "ServerException", Message: "Task protection is not available on this agent." } });
    if (req.method !== "GET" && req.method !== "PUT") return json(res, 405, { error: { Arn: taskArn, Code: "InvalidParameterException", Message: "Only GET and PUT are supported." } });
    let update: { protectionEnabled: boolean; expiresInMinutes?: number } | undefined;
    if (req.method === "PUT") {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        if (size > 64 * 1024) return json(res, 400, { error: { Arn: taskArn, Code: "InvalidParameterException", Message: "Request body too large." } });
        chunks.push(c as Buffer);
      }
      let body: { ProtectionEnabled?: unknown; ExpiresInMinutes?: unknown };
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      } catch {
        return json(res, 400, { error: { Arn: taskArn, Code: "InvalidParameterException", Message: "Invalid request: failed to decode request body" } });
      }
      if (typeof body.ProtectionEnabled !== "boolean") {
        return json(res, 400, { error: { Arn: taskArn, Code: "InvalidParameterException", Message: "Invalid request: does not contain 'ProtectionEnabled' field" } });
      }
      if (body.ExpiresInMinutes !== undefined && typeof body.ExpiresInMinutes !== "number") {
        return json(res, 400, { error: { Arn: taskArn, Code: "InvalidParameterException", Message: "Invalid request: 'ExpiresInMinutes' must be a number" } });
      }
      update = { protectionEnabled: body.ProtectionEnabled, ...(typeof body.ExpiresInMinutes === "number" ? { expiresInMinutes: body.ExpiresInMinutes } : {}) };
    }
    let out: TaskProtectionAnswer;
    try {
      out = await this.o.taskProtection(taskArn, update);
    } catch (err) {
      const e = err as { code?: string; statusCode?: number; message?: string };
      const status = e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? 400 : 500;
      return json(res, status, { error: { Arn: taskArn, Code: e.code ?? "ServerException", Message: e.message ?? String(err) } });
    }
    const failure = out.failures?.[0];
    if (failure) return json(res, 200, { failure: { Arn: failure.arn ?? taskArn, Reason: failure.reason ?? "", ...(failure.detail ? { Detail: failure.detail } : {}) } });
    const p = out.protectedTasks?.[0];
    const exp = p?.expirationDate;
    return json(res, 200, {
      protection: {
        ...(exp !== undefined ? { ExpirationDate: typeof exp === "number" ? new Date(exp * 1000).toISOString() : exp } : {}),
        ProtectionEnabled: p?.protectionEnabled === true,
        TaskArn: p?.taskArn ?? taskArn,
      },
    });
  }

  /** Docker's stats JSON for one container, one sample (`stream=false`), passed through. */
  private stats(id: string): Promise<unknown> {
    return call(this.o.docker.endpoint, { method: "GET", path: `/containers/${encodeURIComponent(id)}/stats?stream=false`, timeoutMs: 15_000 }).catch(
      () => null,
    );
  }

  private async tags(taskArn: string) {
    const out: { TaskTags?: Record<string, string>; ContainerInstanceTags?: Record<string, string>; Errors?: unknown[] } = {};
    const errors: unknown[] = [];
    const read = async (field: "TaskTags" | "ContainerInstanceTags", arn: string) => {
      if (!this.o.listTags) return;
      try {
        out[field] = await this.o.listTags(arn);
      } catch (err) {
        errors.push({ ErrorField: field, ErrorMessage: (err as Error).message, ResourceARN: arn });
      }
    };
    await Promise.all([read("ContainerInstanceTags", this.o.containerInstanceArn), read("TaskTags", taskArn)]);
    if (errors.length) out.Errors = errors;
    return out;
  }
}
