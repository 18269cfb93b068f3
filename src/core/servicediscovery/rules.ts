import { invalidInput } from "./errors.js";

/**
 * Cloud Map's rules beyond its model, pure: which DNS record sets a service may have, what an
 * instance must carry for them, and how instances are told apart by health and attributes.
 */

export type RecordType = "A" | "AAAA" | "SRV" | "CNAME";
export type RoutingPolicy = "MULTIVALUE" | "WEIGHTED";

export interface DnsRecordSpec {
  Type: RecordType;
  TTL: number;
}

export interface DnsConfigSpec {
  RoutingPolicy: RoutingPolicy;
  DnsRecords: DnsRecordSpec[];
}

/** The record sets Cloud Map accepts (Route 53's, as its DnsRecord docs list them). */
const COMBINATIONS = new Set(["A", "AAAA", "A,AAAA", "SRV", "CNAME", "A,SRV", "AAAA,SRV", "A,AAAA,SRV"]);

/** Checks a DnsConfig (given or changed) and fills its default routing policy (MULTIVALUE). */
export function checkDnsConfig(records: readonly DnsRecordSpec[], routing: string | undefined): DnsConfigSpec {
  if (records.length === 0) throw invalidInput("DnsConfig must include at least one DnsRecord.");
  const types = records.map((r) => r.Type);
  if (new Set(types).size !== types.length) throw invalidInput("DnsRecords cannot contain more than one record of the same type.");
  const key = ["A", "AAAA", "SRV", "CNAME"].filter((t) => types.includes(t as RecordType)).join(",");
  if (!COMBINATIONS.has(key)) {
    throw invalidInput(`The combination of DNS record types [${types.join(", ")}] is not supported. Valid combinations: A, AAAA, A and AAAA, SRV, CNAME, A and SRV, AAAA and SRV, A, AAAA and SRV.`);
  }
  const policy = (routing ?? "MULTIVALUE") as RoutingPolicy;
  if (key === "CNAME" && policy !== "WEIGHTED") throw invalidInput("The CNAME record type requires the WEIGHTED routing policy.");
  return { RoutingPolicy: policy, DnsRecords: records.map((r) => ({ Type: r.Type, TTL: r.TTL })) };
}

/** A changed DnsConfig keeps the record types (Cloud Map updates TTLs only). */
export function checkDnsConfigChange(current: DnsConfigSpec, records: readonly DnsRecordSpec[]): DnsConfigSpec {
  const next = checkDnsConfig(records, current.RoutingPolicy);
  const was = current.DnsRecords.map((r) => r.Type).sort().join(",");
  const now = next.DnsRecords.map((r) => r.Type).sort().join(",");
  if (was !== now) throw invalidInput("You can't change the DNS record types of a service; only their TTLs.");
  return next;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;
const HOST = /^(?=.{1,255}$)[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?(\.[a-zA-Z0-9_]([a-zA-Z0-9_-]{0,61}[a-zA-Z0-9_])?)*\.?$/;

/** At most this many attributes per instance. */
export const MAX_ATTRIBUTES = 30;

/**
 * RegisterInstance's attribute rules for the service's records: A needs AWS_INSTANCE_IPV4, AAAA
 * AWS_INSTANCE_IPV6 (A and AAAA: either), SRV AWS_INSTANCE_PORT and an address, CNAME
 * AWS_INSTANCE_CNAME; AWS_INIT_HEALTH_STATUS only for a custom health check.
 */
export function checkInstanceAttributes(
  attrs: Readonly<Record<string, string>>,
  service: { dns?: DnsConfigSpec; customHealth: boolean },
): void {
  if (Object.keys(attrs).length > MAX_ATTRIBUTES) throw invalidInput(`An instance can have at most ${MAX_ATTRIBUTES} attributes.`);
  const v4 = attrs.AWS_INSTANCE_IPV4;
  const v6 = attrs.AWS_INSTANCE_IPV6;
  const port = attrs.AWS_INSTANCE_PORT;
  if (v4 !== undefined && !IPV4.test(v4)) throw invalidInput(`AWS_INSTANCE_IPV4 ${v4} is not a valid IPv4 address.`);
  if (v6 !== undefined && !(IPV6.test(v6) && v6.includes(":"))) throw invalidInput(`AWS_INSTANCE_IPV6 ${v6} is not a valid IPv6 address.`);
  if (port !== undefined && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
    throw invalidInput(`AWS_INSTANCE_PORT ${port} is not a valid port: an integer from 1 to 65535.`);
  }
  if (attrs.AWS_INSTANCE_CNAME !== undefined && !HOST.test(attrs.AWS_INSTANCE_CNAME)) {
    throw invalidInput(`AWS_INSTANCE_CNAME ${attrs.AWS_INSTANCE_CNAME} is not a valid domain name.`);
  }
  if (attrs.AWS_ALIAS_DNS_NAME !== undefined) {
    throw invalidInput("AWS_ALIAS_DNS_NAME (an alias to an Elastic Load Balancing load balancer) is not supported by Wharf's Cloud Map yet.");
  }
  const init = attrs.AWS_INIT_HEALTH_STATUS;
  if (init !== undefined) {
    if (!service.customHealth) throw invalidInput("AWS_INIT_HEALTH_STATUS can be specified only for a service with HealthCheckCustomConfig.");
    if (init !== "HEALTHY" && init !== "UNHEALTHY") throw invalidInput("AWS_INIT_HEALTH_STATUS must be HEALTHY or UNHEALTHY.");
  }
  const types = new Set((service.dns?.DnsRecords ?? []).map((r) => r.Type));
  const need = (name: string) => invalidInput(`Attribute ${name} is required for a service with the DNS record types [${[...types].join(", ")}].`);
  if (types.has("A") && !types.has("AAAA") && v4 === undefined) throw need("AWS_INSTANCE_IPV4");
  if (types.has("AAAA") && !types.has("A") && v6 === undefined) throw need("AWS_INSTANCE_IPV6");
  if (types.has("A") && types.has("AAAA") && v4 === undefined && v6 === undefined) throw need("AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6");
  if (types.has("SRV")) {
    if (port === undefined) throw need("AWS_INSTANCE_PORT");
    if (v4 === undefined && v6 === undefined) throw need("AWS_INSTANCE_IPV4 or AWS_INSTANCE_IPV6");
  }
  if (types.has("CNAME") && attrs.AWS_INSTANCE_CNAME === undefined) throw need("AWS_INSTANCE_CNAME");
}

export type HealthStatus = "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
export type HealthFilter = "HEALTHY" | "UNHEALTHY" | "ALL" | "HEALTHY_OR_ELSE_ALL";

/** An instance's initial custom health: AWS_INIT_HEALTH_STATUS, else HEALTHY (Cloud Map's default). */
export const initialHealth = (attrs: Readonly<Record<string, string>>): "HEALTHY" | "UNHEALTHY" =>
  attrs.AWS_INIT_HEALTH_STATUS === "UNHEALTHY" ? "UNHEALTHY" : "HEALTHY";

/** What DiscoverInstances reports: the custom status when the service has one, else UNKNOWN (nobody checks). */
export const reportedHealth = (custom: "HEALTHY" | "UNHEALTHY" | undefined, hasCustom: boolean): HealthStatus =>
  hasCustom ? (custom ?? "HEALTHY") : "UNKNOWN";

/** Counts as healthy for DNS answers and the HEALTHY filter: custom HEALTHY, or no health check at all. */
export const servesTraffic = (status: HealthStatus): boolean => status !== "UNHEALTHY";

export interface DiscoverableInstance {
  id: string;
  attributes: Readonly<Record<string, string>>;
  health: HealthStatus;
}

/**
 * DiscoverInstances' selection: every QueryParameters pair must match; among those, the
 * instances matching every OptionalParameters pair are returned when there are any, else all of
 * them; then the health filter (ignored for services without a health check: all returned,
 * default HEALTHY); then at most `max`.
 */
export function discover<T extends DiscoverableInstance>(
  instances: readonly T[],
  q: { query?: Readonly<Record<string, string>>; optional?: Readonly<Record<string, string>>; health?: HealthFilter; hasHealthCheck: boolean; max: number },
): T[] {
  const matches = (i: T, attrs: Readonly<Record<string, string>>) => Object.entries(attrs).every(([k, v]) => i.attributes[k] === v);
  let out = instances.filter((i) => matches(i, q.query ?? {}));
  if (q.optional && Object.keys(q.optional).length > 0) {
    const preferred = out.filter((i) => matches(i, q.optional!));
    if (preferred.length > 0) out = preferred;
  }
  if (q.hasHealthCheck) {
    const filter = q.health ?? "HEALTHY";
    const healthy = out.filter((i) => i.health === "HEALTHY");
    if (filter === "HEALTHY") out = healthy;
    else if (filter === "UNHEALTHY") out = out.filter((i) => i.health === "UNHEALTHY");
    else if (filter === "HEALTHY_OR_ELSE_ALL" && healthy.length > 0) out = healthy;
  }
  return out.slice(0, q.max);
}

/**
 * Operations finish asynchronously: SUBMITTED when made, SUCCESS `settleMs` later — a pure
 * function of the clock, so reading GetOperation is all it takes to see it move.
 */
export function operationStatus(createdMs: number, nowMs: number, settleMs: number): { status: "SUBMITTED" | "SUCCESS"; updatedMs: number } {
  return nowMs < createdMs + settleMs ? { status: "SUBMITTED", updatedMs: createdMs } : { status: "SUCCESS", updatedMs: createdMs + settleMs };
}

export interface ListFilter {
  Name: string;
  Values: string[];
  Condition?: string;
}

/**
 * One filter of ListNamespaces / ListServices / ListOperations against a value: EQ (the default,
 * one value), IN (any of the values), BEGINS_WITH (one prefix), BETWEEN (two bounds, inclusive),
 * each allowed only where `allowed` lists it.
 */
export function filterMatches(f: ListFilter, value: string | undefined, allowed: readonly string[]): boolean {
  const cond = f.Condition ?? "EQ";
  if (!allowed.includes(cond)) throw invalidInput(`The condition ${cond} is not supported for the filter ${f.Name}.`);
  if ((cond === "EQ" || cond === "BEGINS_WITH") && f.Values.length !== 1) throw invalidInput(`The filter ${f.Name} with condition ${cond} takes exactly one value.`);
  if (cond === "BETWEEN" && f.Values.length !== 2) throw invalidInput(`The filter ${f.Name} with condition BETWEEN takes exactly two values.`);
  if (value === undefined) return false;
  switch (cond) {
    case "EQ":
      return value === f.Values[0];
    case "IN":
      return f.Values.includes(value);
    case "BEGINS_WITH":
      return value.startsWith(f.Values[0]!);
    default:
      return value >= f.Values[0]! && value <= f.Values[1]!;
  }
}
