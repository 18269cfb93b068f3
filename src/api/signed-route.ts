import type { IncomingMessage, ServerResponse } from "node:http";
import { AwsError } from "../core/errors.js";
import type { Clock } from "../core/time.js";
import { sendJson } from "../edge/protocols/json.js";
import type { InternalRoute } from "../edge/server.js";
import { type SecretLookup, type SignedIdentity, verifySigV4 } from "../edge/sigv4.js";

/**
 * An internal endpoint on the edge (`/_wharf/...`): POST only, SigV4-verified like any API
 * call, a JSON body in and a JSON answer out, errors as `{ "__type", "message" }` with the
 * AwsError's status, as API errors are. The agent channel, the grouped poll of simulated
 * fleets and `/_wharf/explain` are built on it.
 */
export interface SignedRouteOptions {
  path: string;
  secrets: SecretLookup;
  clock: Clock;
  /**
   * Answers the request; `res` is given so a long poll can watch the client hang up. The answer
   * is not sent when the client is gone.
   */
  handle(body: unknown, identity: SignedIdentity, req: IncomingMessage, res: ServerResponse): Promise<unknown>;
}

export function signedRoute(o: SignedRouteOptions): InternalRoute {
  return async (req, res, body, call) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== o.path) return false;
    try {
      if (req.method !== "POST") throw new AwsError("UnknownOperationException", `Use POST ${o.path}.`, 405);
      const identity = verifySigV4({ method: req.method, url: req.url ?? "/", rawHeaders: req.rawHeaders, body }, o.secrets, o.clock.now());
      if (call) Object.assign(call, { accessKeyId: identity.accessKeyId, service: identity.service });
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        throw new AwsError("SerializationException", "The request body is not valid JSON.");
      }
      if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new AwsError("InvalidParameterException", "The request body must be a JSON object.");
      }
      const answer = await o.handle(parsed, identity, req, res);
      if (!res.destroyed) sendJson(res, 200, answer, "application/json");
    } catch (err) {
      // Unexpected errors go to the edge, which logs them with the request id before the 500.
      if (!(err instanceof AwsError)) {
        if (res.destroyed || res.headersSent) throw Object.assign(new Error("error after the answer was sent"), { cause: err });
        throw err;
      }
      if (!res.destroyed && !res.headersSent) sendJson(res, err.status, { __type: err.code, message: err.message }, "application/json");
    }
    return true;
  };
}

/** An AbortSignal that fires when the client hangs up (long polls stop waiting). */
export function hangUpSignal(res: ServerResponse): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once("close", onClose);
  return { signal: abort.signal, dispose: () => res.off("close", onClose) };
}
