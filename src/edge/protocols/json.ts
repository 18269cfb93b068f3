import type { ServerResponse } from "node:http";
import { type AwsError, serializationError, unknownOperation } from "../../core/errors.js";
import type { JsonService, Service } from "../service.js";
import type { Protocol, WireRequest } from "./protocol.js";

export const JSON_CT = "application/x-amz-json-1.1";

export function headerOf(wire: Pick<WireRequest, "req">, name: string): string | undefined {
  const v = wire.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `X-Amz-Target: Prefix.Operation` → [prefix, operation]. */
export function splitTarget(target: string): [string, string] {
  const dot = target.lastIndexOf(".");
  return [target.slice(0, dot), target.slice(dot + 1)];
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

export function sendJson(res: ServerResponse, status: number, value: unknown, contentType: string): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** AWS JSON 1.1: `X-Amz-Target` names the operation, the body is its input as JSON. */
export const jsonProtocol: Protocol = {
  name: "json",
  operation(service: Service, wire: WireRequest): string {
    const target = headerOf(wire, "x-amz-target") ?? "";
    const [, operation] = splitTarget(target);
    // Own properties only: `constructor`, `toString`, `__proto__` … must not resolve to Object's.
    if (!Object.hasOwn(service.operations, operation)) throw unknownOperation(target || "(no X-Amz-Target header)");
    return operation;
  },
  input: (_service, wire) => parseJsonBody(wire.body),
  write(res, service, _operation, output) {
    sendJson(res, 200, output ?? {}, contentTypeOf(service));
  },
  writeError(res, err: AwsError, _requestId, service) {
    res.setHeader("X-Amzn-Errortype", err.code);
    if (service && isJsonService(service) && service.queryCompatible) {
      res.setHeader("x-amzn-query-error", `${err.code};${err.status >= 500 ? "Receiver" : "Sender"}`);
    }
    sendJson(res, err.status, { ...err.fields, __type: err.code, message: err.message }, contentTypeOf(service));
  },
};

const contentTypeOf = (service: Service | undefined): string =>
  service && isJsonService(service) && service.jsonVersion === "1.0" ? "application/x-amz-json-1.0" : JSON_CT;

export const isJsonService = (s: Service): s is JsonService => s.protocol === undefined || s.protocol === "json";
