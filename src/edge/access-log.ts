import type { IncomingMessage, ServerResponse } from "node:http";

/** One answered request, as the edge reports it to `EdgeOptions.onResponse` (the access log). */
export interface AccessLogEntry {
  requestId: string;
  method: string;
  /** The path, without the query. */
  path: string;
  /** The service's signing name (`ecs`, `logs`), when the request named a known one. */
  service?: string;
  /** The action (`RunTask`), as the request named it, known to the service or not. */
  operation?: string;
  /** The caller, once its signature verified. */
  accessKeyId?: string;
  accountId?: string;
  status: number;
  /** The AWS error code of an error answer (`X-Amzn-Errortype`). */
  errorCode?: string;
  durationMs: number;
  /** The client hung up before the answer was complete. */
  aborted?: true;
}

/** What the edge learns while it handles a request; the protocol code fills in what it knows. */
export interface CallFacts {
  service?: string;
  operation?: string;
  accessKeyId?: string;
  accountId?: string;
}

/**
 * The access log entry of a finished request. Service and operation come from `facts` when the
 * handler set them, else from the `X-Amz-Target` header (`Prefix.Operation`, the prefix mapped
 * to its service's signing name by `signingNameOf`).
 */
export function accessEntry(
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  startedAt: number,
  facts: CallFacts,
  signingNameOf: (targetPrefix: string) => string | undefined,
): AccessLogEntry {
  const rawTarget = req.headers["x-amz-target"];
  const target = Array.isArray(rawTarget) ? rawTarget[0] : rawTarget;
  const dot = target?.lastIndexOf(".") ?? -1;
  const service = facts.service ?? (target && dot > 0 ? signingNameOf(target.slice(0, dot)) : undefined);
  const operation = facts.operation ?? (target && dot > 0 ? target.slice(dot + 1) : undefined);
  const errorCode = res.getHeader("x-amzn-errortype");
  return {
    requestId,
    method: req.method ?? "",
    path: (req.url ?? "/").split("?")[0]!,
    ...(service ? { service } : {}),
    ...(operation ? { operation } : {}),
    ...(facts.accessKeyId ? { accessKeyId: facts.accessKeyId } : {}),
    ...(facts.accountId ? { accountId: facts.accountId } : {}),
    status: res.statusCode,
    ...(typeof errorCode === "string" ? { errorCode } : {}),
    durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    ...(res.writableFinished ? {} : { aborted: true as const }),
  };
}
