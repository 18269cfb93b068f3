import { AwsError } from "../errors.js";
import type { LbCondition } from "./data-plane-contract.js";

/** A rule condition as ELB's API carries it (the SDK's `RuleCondition`). */
export interface RuleConditionIn {
  Field?: string;
  Values?: string[];
  HostHeaderConfig?: { Values?: string[] };
  PathPatternConfig?: { Values?: string[] };
  HttpHeaderConfig?: { HttpHeaderName?: string; Values?: string[] };
  QueryStringConfig?: { Values?: { Key?: string; Value?: string }[] };
  HttpRequestMethodConfig?: { Values?: string[] };
  SourceIpConfig?: { Values?: string[] };
  RegexValues?: string[];
}

export const CONDITION_FIELDS = ["path-pattern", "host-header", "http-header", "http-request-method", "query-string", "source-ip"] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

const CONFIG_OF: Record<ConditionField, keyof RuleConditionIn> = {
  "path-pattern": "PathPatternConfig",
  "host-header": "HostHeaderConfig",
  "http-header": "HttpHeaderConfig",
  "http-request-method": "HttpRequestMethodConfig",
  "query-string": "QueryStringConfig",
  "source-ip": "SourceIpConfig",
};

/** ELB's limit on condition values a rule may hold in all (wildcards and values alike). */
export const MAX_CONDITION_VALUES = 5;

const bad = (m: string) => new AwsError("ValidationError", m);

const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&*?;%=]+$/;
const HOST_CHARS = /^[A-Za-z0-9\-.*?]+$/;
const METHOD = /^[A-Z_-]{1,40}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/;

function cidrOk(v: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(v);
  if (m) return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  return /^[0-9a-fA-F:]+\/\d{1,3}$/.test(v) && v.includes(":") && Number(v.split("/")[1]) <= 128;
}

/**
 * Checks a rule's conditions as ELB does and returns them in ELB's stored form (what
 * DescribeRules answers: `Field` with its `…Config`, and for host-header and path-pattern the
 * `Values` too) and in the data plane's (`LbCondition`). Every field but http-header and
 * query-string may appear once; a rule holds at most five values in all.
 */
export function normalizeConditions(conditions: RuleConditionIn[]): { stored: Record<string, unknown>[]; plane: LbCondition[] } {
  const seen = new Set<string>();
  const stored: Record<string, unknown>[] = [];
  const plane: LbCondition[] = [];
  let count = 0;
  for (const c of conditions) {
    const field = c.Field;
    if (!field) throw bad("A condition field must be specified");
    if (!(CONDITION_FIELDS as readonly string[]).includes(field)) throw bad(`Condition field '${field}' is not supported`);
    const f = field as ConditionField;
    if (c.RegexValues?.length) throw bad("Wharf does not support regular-expression condition values (RegexValues) yet");
    for (const other of CONDITION_FIELDS) {
      if (other !== f && c[CONFIG_OF[other]] !== undefined) throw bad(`Condition field '${f}' cannot be specified with '${CONFIG_OF[other]}'`);
    }
    if (f !== "http-header" && f !== "query-string") {
      if (seen.has(f)) throw bad(`Condition field '${f}' can only be specified once per rule`);
      seen.add(f);
    }
    const config = c[CONFIG_OF[f]] as { Values?: unknown[]; HttpHeaderName?: string } | undefined;
    if (c.Values !== undefined && f !== "path-pattern" && f !== "host-header") {
      throw bad(`Condition field '${f}' must be specified with '${CONFIG_OF[f]}'`);
    }
    if (c.Values !== undefined && config?.Values !== undefined) {
      const a = JSON.stringify(c.Values);
      if (a !== JSON.stringify(config.Values)) throw bad(`Condition values and '${CONFIG_OF[f]}' values cannot differ`);
    }
    if (f === "query-string") {
      const pairs = (c.QueryStringConfig?.Values ?? []).map((p) => ({ ...(p.Key !== undefined ? { key: p.Key } : {}), value: p.Value ?? "" }));
      if (pairs.length === 0) throw bad(`A condition value for '${f}' must be specified`);
      for (const p of pairs) {
        if (p.value === "") throw bad("A query string condition value must be specified");
        if (p.value.length > 128 || (p.key?.length ?? 0) > 128) throw bad("A query string condition key or value cannot be longer than 128 characters");
      }
      count += pairs.length;
      stored.push({ Field: f, QueryStringConfig: { Values: pairs.map((p) => ({ ...(p.key !== undefined ? { Key: p.key } : {}), Value: p.value })) } });
      plane.push({ field: f, values: pairs });
      continue;
    }
    const values = (c.Values ?? (config?.Values as string[] | undefined) ?? []).map(String);
    if (values.length === 0) throw bad(`A condition value for '${f}' must be specified`);
    count += values.length;
    for (const v of values) {
      if (f === "path-pattern" && (v.length > 128 || !PATH_CHARS.test(v))) throw bad(`Condition value '${v}' is not a valid path pattern`);
      if (f === "host-header" && (v.length > 128 || !HOST_CHARS.test(v))) throw bad(`Condition value '${v}' is not a valid host header`);
      if (f === "http-request-method" && !METHOD.test(v)) throw bad(`Condition value '${v}' is not a valid HTTP request method`);
      if (f === "source-ip" && !cidrOk(v)) throw bad(`Condition value '${v}' is not a valid CIDR block`);
      if (f === "http-header" && v.length > 128) throw bad(`Condition value '${v}' cannot be longer than 128 characters`);
    }
    if (f === "http-header") {
      const name = c.HttpHeaderConfig?.HttpHeaderName;
      if (!name) throw bad("An HTTP header name must be specified");
      if (!HEADER_NAME.test(name)) throw bad(`'${name}' is not a valid HTTP header name`);
      stored.push({ Field: f, HttpHeaderConfig: { HttpHeaderName: name, Values: values } });
      plane.push({ field: f, headerName: name, values });
      continue;
    }
    const entry: Record<string, unknown> = { Field: f, [CONFIG_OF[f]]: { Values: values } };
    if (f === "path-pattern" || f === "host-header") entry.Values = values;
    stored.push(entry);
    plane.push({ field: f, values } as LbCondition);
  }
  if (count > MAX_CONDITION_VALUES) throw bad(`A rule can only have '${MAX_CONDITION_VALUES}' condition values`);
  return { stored, plane };
}

/** Priorities are unique per listener: the first of `wanted` already held by another rule, or undefined. */
export function priorityClash(held: ReadonlyMap<string, number>, wanted: ReadonlyMap<string, number>): number | undefined {
  const next = new Map(held);
  for (const [arn, p] of wanted) next.set(arn, p);
  const seen = new Map<number, string>();
  for (const [arn, p] of next) {
    const other = seen.get(p);
    if (other !== undefined && other !== arn) {
      // Report a priority the call asked for (the clash is the call's doing).
      return [...wanted.values()].includes(p) ? p : undefined;
    }
    seen.set(p, arn);
  }
  return undefined;
}
