import { arnBase, type Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { Clock } from "../../core/time.js";
import type { AlarmActionInvoker } from "../../contracts/metric-alarms.js";
import type { AlarmBook } from "./alarm-book.js";
import { MetricStore } from "./metric-store.js";

/** What CloudWatch's operations are given besides their input. */
export interface CloudWatchDeps {
  metrics: MetricStore;
  alarms: AlarmBook;
  clock: Clock;
  /** The alarm actions' invokers (Application Auto Scaling's policies, …), by ARN prefix. */
  invokers: AlarmActionInvoker[];
}

export const scopeOf = (p: Principal): string => MetricStore.scopeOf(p.accountId, p.region);

// ---- CloudWatch's errors (Query codes, as the JSON clients also read them from x-amzn-query-error) ----

export const invalidValue = (message: string): AwsError => new AwsError("InvalidParameterValue", message);
export const invalidCombination = (message: string): AwsError => new AwsError("InvalidParameterCombination", message);
export const missingParameter = (message: string): AwsError => new AwsError("MissingParameter", message);
export const resourceNotFound = (message: string): AwsError => new AwsError("ResourceNotFound", message, 404);
export const tagResourceNotFound = (message: string): AwsError => new AwsError("ResourceNotFoundException", message, 404);
export const invalidNextToken = (): AwsError => new AwsError("InvalidNextToken", "The service cannot complete the request: the NextToken is invalid.");
export const limitExceeded = (message: string): AwsError => new AwsError("LimitExceeded", message);
export const invalidFormat = (message: string): AwsError => new AwsError("InvalidFormat", message);
export const unsupported = (what: string): AwsError =>
  new AwsError("InvalidParameterValue", `${what} is not supported by Wharf's CloudWatch (docs/cloudwatch.md).`);

/** `arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`. */
export const alarmArn = (p: Principal, name: string): string => `${arnBase(p, "cloudwatch")}:alarm:${name}`;

/** Opaque page tokens: base64url JSON, checked on the way back in. */
export const encodeToken = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
export function decodeToken<T>(token: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (token === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (valid(v)) return v;
  } catch {
    /* fall through */
  }
  throw invalidNextToken();
}
export const isOffset = (v: unknown): v is { o: number } =>
  typeof v === "object" && v !== null && Number.isInteger((v as { o?: unknown }).o) && (v as { o: number }).o >= 0;
