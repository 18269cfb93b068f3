import { gunzipSync } from "node:zlib";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { AwsError, unknownOperation } from "../core/errors.js";
import { newRequestId } from "../core/ids.js";
import type { Clock } from "../core/time.js";
import { type AccessLogEntry, accessEntry, type CallFacts } from "./access-log.js";
import { ec2Protocol } from "./protocols/ec2.js";
import { headerOf, isJsonService, JSON_CT, jsonProtocol, sendJson, splitTarget } from "./protocols/json.js";
import type { Protocol, WireRequest } from "./protocols/protocol.js";
import { isQueryShaped, scopeService } from "./protocols/query-family.js";
import { queryProtocol } from "./protocols/query.js";
import { isQueryService, type JsonService, type QueryService, type RequestContext, type Service } from "./service.js";
import { type Caller, type IdentityResolver, isRoot, type RoleDirectory } from "./identity.js";
import { authorize } from "./authorize.js";
import { rootUserArn } from "../core/arn.js";
import { verifySigV4 } from "./sigv4.js";
import { readLimitedBody } from "../core/http-body.js";
import { type ConsoleSite, isConsoleRequest } from "./console-site.js";

/** Largest request body accepted (ECS's own task definition limit is 64 KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A handler for Wharf's own paths under `/_wharf/`; returns false when it does not match. A signed
 * route records its caller's access key in `call` (the access log's principal).
 */
export type InternalRoute = (req: IncomingMessage, res: ServerResponse, body: Buffer, call: CallFacts) => Promise<boolean> | boolean;
/**
 * A handler for an HTTP/1.1 Upgrade under `/_wharf/` (exec sessions, src/api/exec-sessions.ts):
 * it owns the raw socket; returns false when the path is not its own.
 */
export type UpgradeRoute = (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export interface EdgeOptions {
  services: Service[];
  /** Who each access key is: the root and, once IAM is served, users and sessions. */
  identities: IdentityResolver;
  /** IAM's roles, once served: task and execution roles must exist and trust ecs-tasks (src/edge/authorize.ts). */
  roles?: RoleDirectory;
  accountId: string;
  clock: Clock;
  version: string;
  internal?: InternalRoute[];
  /** Upgrade requests (`Connection: Upgrade`); any other upgrade is answered 404. */
  upgrades?: UpgradeRoute[];
  log?: (line: Record<string, unknown>) => void;
  /** Called once per request when its answer is done (or the client hung up): the access log. */
  onResponse?: (entry: AccessLogEntry) => void;
  /** `GET /metrics`: Wharf's own health in Prometheus' format (unsigned, as scrapers ask). */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The web console's static files, for GET requests that are not API calls (src/edge/console-site.ts). */
  consoleSite?: ConsoleSite;
}

/** The protocol module of each Query-family service kind (EC2's variant; plain Query for ELBv2, later IAM and STS). */
const QUERY_PROTOCOLS: Partial<Record<QueryService["protocol"], Protocol>> = { ec2: ec2Protocol, query: queryProtocol };

/**
 * The edge: one HTTP server for every API. It alone knows HTTP, SigV4, request ids and dispatch;
 * protocol modules (src/edge/protocols/) translate bodies: AWS JSON 1.1 by `X-Amz-Target` (ECS, Logs),
 * and the Query family — EC2 and ELBv2 — by the credential scope's service and `Action`. Services see a
 * parsed input and return an output object.
 */
export function createEdge(opts: EdgeOptions): { server: Server; setReady(ready: boolean): void } {
  const byPrefix = new Map<string, JsonService>();
  const bySigningName = new Map<string, QueryService>();
  for (const s of opts.services) {
    if (isQueryService(s)) bySigningName.set(s.signingName, s);
    else if (isJsonService(s)) byPrefix.set(s.targetPrefix, s);
  }
  let ready = false;

  /** The service and protocol a request speaks, known from its headers and query (before the body). */
  const route = (wire: Pick<WireRequest, "req" | "query">): { protocol: Protocol; service?: Service } => {
    const target = headerOf(wire, "x-amz-target");
    if (target) return { protocol: jsonProtocol, service: byPrefix.get(splitTarget(target)[0]) };
    if (isQueryShaped(wire)) {
      const service = bySigningName.get(scopeService(wire) ?? "");
      const protocol = service && QUERY_PROTOCOLS[service.protocol];
      if (service && protocol) return { protocol, service };
    }
    return { protocol: jsonProtocol };
  };

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    const call: CallFacts = {};
    const startedAt = performance.now();
    if (opts.onResponse) res.once("close", () => opts.onResponse!(accessEntry(req, res, requestId, startedAt, call, (p) => byPrefix.get(p)?.signingName)));
    res.setHeader("x-amzn-RequestId", requestId);
    res.setHeader("x-wharf-version", opts.version);
    const [path, query = ""] = splitUrl(req.url ?? "/");
    if (path === "/metrics" && req.method === "GET" && opts.metrics) {
      void opts.metrics().then(
        (m) => {
          res.writeHead(200, { "content-type": m.contentType, "content-length": Buffer.byteLength(m.body) });
          res.end(m.body);
        },
        () => sendJson(res, 500, { message: "metrics unavailable" }, "application/json"),
      );
      return;
    }
    if (opts.consoleSite && isConsoleRequest(req, path, query)) return opts.consoleSite(req, res, path);
    const routed = path.startsWith("/_wharf/") ? { protocol: jsonProtocol } : route({ req, query });
    readBody(req, routed.service?.maxBodyBytes ?? MAX_BODY_BYTES)
      .then(async (body) => {
        if (path.startsWith("/_wharf/")) {
          if (path === "/_wharf/health") {
            return sendJson(res, ready ? 200 : 503, { status: ready ? "ok" : "starting" }, "application/json");
          }
          if (path === "/_wharf/version") return sendJson(res, 200, { version: opts.version }, "application/json");
          for (const r of opts.internal ?? []) if (await r(req, res, body, call)) return;
          return sendJson(res, 404, { message: "not found" }, "application/json");
        }
        const { protocol, service } = routed;
        if (protocol === jsonProtocol && req.method !== "POST") {
          throw new AwsError("UnknownOperationException", `${req.method} ${path} is not an API call; send POST /`, 404);
        }
        let caller: Caller | undefined;
        const identity = verifySigV4(
          { method: req.method ?? "", url: req.url ?? "/", rawHeaders: req.rawHeaders, body },
          (id) => (caller = opts.identities.resolve(id))?.secretAccessKey,
          opts.clock.now(),
        );
        Object.assign(call, { accessKeyId: identity.accessKeyId, accountId: opts.accountId });
        if (!service) throw unknownOperation(headerOf({ req }, "x-amz-target") ?? "(no X-Amz-Target header)");
        const wire: WireRequest = { req, path, query, body: decodeContent(req, body, routed.service?.maxBodyBytes ?? MAX_BODY_BYTES) };
        const operation = protocol.operation(service, wire);
        Object.assign(call, { service: service.signingName, operation });
        if (identity.service !== service.signingName) {
          throw new AwsError(
            "InvalidSignatureException",
            `Credential should be scoped to correct service: '${service.signingName}'.`,
          );
        }
        const principal = { region: identity.region, accountId: opts.accountId };
        const ctx: RequestContext = {
          principal,
          requestId,
          accessKeyId: identity.accessKeyId,
          callerArn: isRoot(caller!) ? rootUserArn(principal) : caller!.principal.arn,
          caller: caller!,
        };
        const input = protocol.input(service, wire, operation);
        await authorize({
          caller: caller!,
          service,
          operation,
          input,
          principal,
          now: opts.clock.now(),
          ...(identity.sessionToken !== undefined ? { sessionToken: identity.sessionToken } : {}),
          ...(req.socket.remoteAddress ? { sourceIp: sourceIpOf(req.socket.remoteAddress) } : {}),
          ...(opts.roles ? { roles: opts.roles } : {}),
        });
        const output = await service.operations[operation]!(input, ctx);
        protocol.write(res, service, operation, output, requestId);
      })
      .catch((err: unknown) => sendError(res, routed.protocol, err, requestId, opts.log, routed.service));
  });
  // Bytes Node's HTTP parser cannot read never reach the handler: answer them in AWS's shape too.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === "ECONNRESET") return void socket.destroy();
    const requestId = newRequestId();
    const body = JSON.stringify({ __type: "SerializationException", message: "The request could not be parsed as HTTP." });
    socket.end(
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n" +
        `Content-Type: ${JSON_CT}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-amzn-RequestId: ${requestId}\r\nX-Amzn-Errortype: SerializationException\r\n\r\n${body}`,
    );
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    const path = splitUrl(req.url ?? "/")[0];
    if (path.startsWith("/_wharf/")) for (const r of opts.upgrades ?? []) if (r(req, socket, head)) return;
    const body = JSON.stringify({ message: "not found" });
    socket.end(`HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  });
  server.keepAliveTimeout = 65_000;
  return { server, setReady: (r) => (ready = r) };
}

/** aws:SourceIp: the peer's address, an IPv4-mapped IPv6 address as its IPv4 form. */
const sourceIpOf = (addr: string): string => (addr.startsWith("::ffff:") && addr.includes(".") ? addr.slice(7) : addr);

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q < 0 ? [url, ""] : [url.slice(0, q), url.slice(q + 1)];
}

/**
 * A body sent with `Content-Encoding: gzip` (the SDKs compress CloudWatch's PutMetricData past
 * 10 KiB; SigV4 signs the compressed bytes), inflated up to the service's body limit.
 */
function decodeContent(req: IncomingMessage, body: Buffer, limit: number): Buffer {
  const encoding = (headerOf({ req }, "content-encoding") ?? "").toLowerCase();
  if (!encoding.split(",").some((e) => e.trim() === "gzip")) return body;
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new AwsError("SerializationException", `Request body exceeds ${limit} bytes.`, 413);
    }
    throw new AwsError("SerializationException", "The request body is not valid gzip.");
  }
}

/** Past this many bytes an oversized body is no longer drained to answer 413: the connection is cut. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const body = await readLimitedBody(req, limit, Math.max(MAX_DRAIN_BYTES, 2 * limit));
  if (!body) throw new AwsError("SerializationException", `Request body exceeds ${limit} bytes.`, 413);
  return body;
}

function sendError(
  res: ServerResponse,
  protocol: Protocol,
  err: unknown,
  requestId: string,
  log?: (line: Record<string, unknown>) => void,
  service?: Service,
): void {
  let aws: AwsError;
  if (err instanceof AwsError) aws = err;
  else {
    log?.({ level: "error", requestId, msg: "unhandled error", err: String((err as Error)?.stack ?? err) });
    aws = new AwsError("ServerException", `Internal error (request id ${requestId}).`, 500);
  }
  if (res.headersSent) return void res.end();
  protocol.writeError(res, aws, requestId, service);
}
