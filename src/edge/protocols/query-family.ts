import { AwsError } from "../../core/errors.js";
import { headerOf } from "./json.js";
import type { WireRequest } from "./protocol.js";
import { parseQueryPairs } from "./query-input.js";

/**
 * What the EC2 and Query protocols share: how a request is recognised (no `X-Amz-Target`; a
 * form-encoded POST, or a GET with a query string), where its pairs come from, and its `Action`.
 */
export function isQueryShaped(wire: Pick<WireRequest, "req" | "query">): boolean {
  if (headerOf(wire, "x-amz-target")) return false;
  const method = wire.req.method ?? "";
  if (method === "POST") return (headerOf(wire, "content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
  return method === "GET" && /(^|&)Action=/.test(wire.query);
}

/** The request's pairs (body of a POST, else the query string), with `Action` and `Version` taken out. */
export function queryCall(wire: WireRequest): { action: string | undefined; version: string | undefined; params: Map<string, string> } {
  const params = parseQueryPairs(wire.req.method === "POST" ? wire.body.toString("utf8") : wire.query);
  const action = params.get("Action");
  const version = params.get("Version");
  params.delete("Action");
  params.delete("Version");
  return { action, version, params };
}

/**
 * The service named by a request's SigV4 credential scope (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`),
 * read before the signature is checked, only to pick the protocol the answer (or the refusal) speaks.
 */
export function scopeService(wire: Pick<WireRequest, "req">): string | undefined {
  const auth = headerOf(wire, "authorization") ?? "";
  const m = /Credential=[^/,\s]*\/[^/,\s]*\/[^/,\s]*\/([^/,\s]*)\/aws4_request/.exec(auth);
  return m?.[1];
}

/** Edge refusals (SigV4, size, internal) in a Query-family service's words. */
export function queryFamilyError(err: AwsError): AwsError {
  switch (err.code) {
    case "UnrecognizedClientException":
      return new AwsError("AuthFailure", "AWS was not able to validate the provided access credentials", 401);
    case "ExpiredTokenException":
      return new AwsError("RequestExpired", "Request has expired.", 400);
    case "InvalidSignatureException":
      return err.message.startsWith("Signature expired")
        ? new AwsError("RequestExpired", `Request has expired. ${err.message}`, 400)
        : new AwsError("AuthFailure", err.message, 401);
    case "IncompleteSignatureException":
    case "MissingAuthenticationTokenException":
      return new AwsError("AuthFailure", err.message, 401);
    case "ServerException":
      return new AwsError("InternalError", err.message, 500);
    default:
      return err;
  }
}
