import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { AwsError, serializationError, unknownOperation } from "../core/errors.js";
import { newRequestId } from "../core/ids.js";
import type { Clock } from "../core/time.js";
import { rootUserArn } from "../core/arn.js";
import type { JsonService, RequestContext } from "./service.js";
import { type SecretLookup, verifySigV4 } from "./sigv4.js";

/** Largest request body accepted (ECS's own task definition limit is 64 KiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A handler for Wharf's own paths under `/_wharf/`; returns false when it does not match. */
export type InternalRoute = (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<boolean> | boolean;

export interface EdgeOptions {
  services: JsonService[];
  secrets: SecretLookup;
  accountId: string;
  clock: Clock;
  version: string;
  internal?: InternalRoute[];
  log?: (line: Record<string, unknown>) => void;
}

const JSON_CT = "application/x-amz-json-1.1";

/**
 * The edge: one HTTP server for every API. It alone knows headers, body encoding, SigV4,
 * request ids and error bodies; services see a parsed input and return an output object.
 */
export function createEdge(opts: EdgeOptions): { server: Server; setReady(ready: boolean): void } {
  const byPrefix = new Map(opts.services.map((s) => [s.targetPrefix, s]));
  let ready = false;

  const server = createServer((req, res) => {
    const requestId = newRequestId();
    res.setHeader("x-amzn-RequestId", requestId);
    res.setHeader("x-wharf-version", opts.version);
    readBody(req, bodyLimit(req, byPrefix))
      .then(async (body) => {
        const path = (req.url ?? "/").split("?")[0]!;
        if (path.startsWith("/_wharf/")) {
          if (path === "/_wharf/health") {
            return sendJson(res, ready ? 200 : 503, { status: ready ? "ok" : "starting" }, "application/json");
          }
          if (path === "/_wharf/version") return sendJson(res, 200, { version: opts.version }, "application/json");
          for (const route of opts.internal ?? []) if (await route(req, res, body)) return;
          return sendJson(res, 404, { message: "not found" }, "application/json");
        }
        if (req.method !== "POST") {
          throw new AwsError("UnknownOperationException", `${req.method} ${path} is not an API call; send POST /`, 404);
        }
        const identity = verifySigV4(
          { method: req.method, url: req.url ?? "/", rawHeaders: req.rawHeaders, body },
          opts.secrets,
          opts.clock.now(),
        );
        const target = headerOf(req, "x-amz-target");
        if (!target) throw unknownOperation("(no X-Amz-Target header)");
        const dot = target.lastIndexOf(".");
        const service = byPrefix.get(target.slice(0, dot));
        const opName = target.slice(dot + 1);
        // Own properties only: `constructor`, `toString`, `__proto__` … must not resolve to Object's.
        const op = service && Object.hasOwn(service.operations, opName) ? service.operations[opName] : undefined;
        if (!service || !op) throw unknownOperation(target);
        if (identity.service !== service.signingName) {
          throw new AwsError(
            "InvalidSignatureException",
            `Credential should be scoped to correct service: '${service.signingName}'.`,
          );
        }
        const input = parseJsonBody(body);
        const principal = { region: identity.region, accountId: opts.accountId };
        const ctx: RequestContext = {
          principal,
          requestId,
          accessKeyId: identity.accessKeyId,
          callerArn: rootUserArn(principal),
        };
        const output = await op(input, ctx);
        sendJson(res, 200, output ?? {}, JSON_CT);
      })
      .catch((err: unknown) => sendError(res, err, requestId, opts.log));
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
  server.keepAliveTimeout = 65_000;
  return { server, setReady: (r) => (ready = r) };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"));
  } catch {
    throw serializationError("Request body is not valid JSON.");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw serializationError("Request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

/** Past this many bytes an oversized body is no longer drained to answer 413: the connection is cut. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

/** The body limit of the service named by `X-Amz-Target` (known from the headers, before the body). */
function bodyLimit(req: IncomingMessage, byPrefix: Map<string, JsonService>): number {
  const target = headerOf(req, "x-amz-target") ?? "";
  return byPrefix.get(target.slice(0, target.lastIndexOf(".")))?.maxBodyBytes ?? MAX_BODY_BYTES;
}

function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > Math.max(MAX_DRAIN_BYTES, 2 * limit)) return void req.destroy();
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else chunks.push(c);
    });
    req.on("end", () =>
      tooLarge
        ? reject(new AwsError("SerializationException", `Request body exceeds ${limit} bytes.`, 413))
        : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, contentType: string): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  err: unknown,
  requestId: string,
  log?: (line: Record<string, unknown>) => void,
): void {
  let aws: AwsError;
  if (err instanceof AwsError) aws = err;
  else {
    log?.({ level: "error", requestId, msg: "unhandled error", err: String((err as Error)?.stack ?? err) });
    aws = new AwsError("ServerException", `Internal error (request id ${requestId}).`, 500);
  }
  if (res.headersSent) return void res.end();
  res.setHeader("X-Amzn-Errortype", aws.code);
  sendJson(res, aws.status, { __type: aws.code, message: aws.message }, JSON_CT);
}
