import type { LbAction, LbCondition, LbListener, LbTargetGroup } from "./data-plane-contract.js";
import { headerPatternRegex, hostPatternRegex, pathPatternRegex, queryPatternRegex } from "./elb-patterns.js";
import { backendName } from "./haproxy-names.js";

/**
 * A listener's rules as HAProxy `http-request` lines, evaluated in priority order: each rule's
 * conditions become named ACLs (values of one condition OR, conditions AND); a forward sets
 * `txn.be` (the first rule that matches wins, later ones are guarded by `!picked`), a
 * fixed-response or redirect ends the request at once. The default action comes last.
 */

/** A word in single quotes: literal to HAProxy (our regexes never contain a quote). */
const sq = (s: string) => `'${s}'`;
/** A word in double quotes with HAProxy's escapes (`\`, `"`, `$` for env vars). */
export const dq = (s: string) => `"${s.replace(/[\\"$]/g, (c) => `\\${c}`).replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;

/** One ACL body (after `acl NAME`) per condition. */
export function conditionAcl(c: LbCondition): string {
  switch (c.field) {
    case "path-pattern":
      return `path_reg ${c.values.map((v) => sq(pathPatternRegex(v))).join(" ")}`;
    case "host-header":
      return `req.hdr(host) -m reg -i ${c.values.map((v) => sq(hostPatternRegex(v))).join(" ")}`;
    case "http-header": {
      const name = c.headerName.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~-]/g, "");
      return `req.hdr(${name}) -m reg -i ${c.values.map((v) => sq(headerPatternRegex(v))).join(" ")}`;
    }
    case "http-request-method":
      return `method -m str ${c.values.map((v) => sq(v.replace(/[^A-Za-z0-9_-]/g, ""))).join(" ")}`;
    case "query-string":
      return `query -m reg -i ${c.values.map((v) => sq(queryPatternRegex(v))).join(" ")}`;
    case "source-ip":
      return `src ${c.values.map((v) => v.replace(/[^0-9A-Fa-f.:/]/g, "")).join(" ")}`;
  }
}

/** Literal text inside a log-format string: `%` escaped, then double-quoted by the caller. */
const lfText = (s: string) => s.replace(/%/g, "%%");

function expandRedirectPart(template: string, listener: LbListener): string {
  return template.replace(/#\{(protocol|host|port|path|query)\}|([^#]+|#)/g, (m, ph: string | undefined, lit: string | undefined) => {
    if (lit !== undefined) return lfText(lit);
    switch (ph) {
      case "protocol":
        return listener.protocol.toLowerCase() === "https" ? "https" : "http";
      case "host":
        return "%[req.hdr(host),field(1,:)]";
      case "port":
        return String(listener.port);
      case "path":
        return "%[path,bytes(1)]";
      case "query":
        return "%[query]";
    }
    return m;
  });
}

/** `http-request redirect` lines for a redirect action (two when the query may be empty). */
function redirectLines(a: Extract<LbAction, { type: "redirect" }>, listener: LbListener, cond: string): string[] {
  const protocol = expandRedirectPart(a.protocol ?? "#{protocol}", listener).toLowerCase();
  const host = expandRedirectPart(a.host ?? "#{host}", listener);
  const port = expandRedirectPart(a.port ?? "#{port}", listener);
  const path = expandRedirectPart(a.path ?? "/#{path}", listener);
  const query = a.query ?? "#{query}";
  const code = a.statusCode === "HTTP_301" ? 301 : 302;
  const base = `${protocol}://${host}:${port}${path}`;
  const line = (loc: string, extra: string) => `  http-request redirect location ${dq(loc)} code ${code} if${cond}${extra} !picked`;
  if (query === "") return [line(base, "")];
  const withQuery = `${base}?${expandRedirectPart(query, listener)}`;
  if (query.trim() === "#{query}") {
    // ELB leaves out the `?` when the resulting query is empty.
    return [line(withQuery, " { query -m len gt 0 }"), line(base, "")];
  }
  return [line(withQuery, "")];
}

function fixedResponseLine(a: Extract<LbAction, { type: "fixed-response" }>, cond: string): string {
  const body = a.messageBody ?? "";
  const payload = body === "" ? "" : ` content-type ${dq(a.contentType ?? "text/plain")} string ${dq(body)}`;
  return `  http-request return status ${Number(a.statusCode)}${payload} if${cond} !picked`;
}

/**
 * Forwards read from a map instead of literal lines: each forward action of a listener is a key
 * (`<prefix>/<n>`), and each of its FORWARD_BUCKETS buckets (`<key>/<bucket>`, the bucket drawn
 * once per request as `txn.w`) maps to a backend. Which target groups a forward sends to, and
 * with which weights, is then the map's content, changed through the runtime API without a
 * reload (a listener's traffic moves between existing target groups with no connection closed).
 */
export interface ForwardMap {
  /** The map file's path, as HAProxy loads it and the runtime API names it. */
  path: string;
  /** Unique per listener (its frontend name). */
  prefix: string;
  /** Filled in: `key value` pairs of the map. */
  entries: [string, string][];
  /** Forward actions seen so far in this listener (the next key's number). */
  count: number;
}

export const FORWARD_BUCKETS = 100;

/** Weighted picks as map entries: bucket b of [0, FORWARD_BUCKETS) → the group whose weight share covers it. */
function forwardMapLines(pick: { arn: string; weight: number }[], weighted: boolean, groups: Map<string, LbTargetGroup>, cond: string, fm: ForwardMap): string[] {
  const key = `${fm.prefix}/${fm.count++}`;
  const total = pick.reduce((s, g) => s + (weighted ? g.weight : 1), 0);
  let from = 0;
  const bounds = pick.map((g) => {
    const w = weighted ? g.weight : 1;
    const end = Math.floor(((from + w) * FORWARD_BUCKETS) / total);
    from += w;
    return { be: backendName(groups.get(g.arn)!), end };
  });
  for (let b = 0; b < FORWARD_BUCKETS; b++) fm.entries.push([`${key}/${b}`, (bounds.find((x) => b < x.end) ?? bounds[bounds.length - 1]!).be]);
  return [`  http-request set-var(txn.be) str(${key}/),concat(,txn.w,),map(${fm.path}) if${cond} !picked`];
}

/** `http-request set-var(txn.be)` lines of a forward (weighted over `txn.w`, drawn once per request). */
function forwardLines(a: Extract<LbAction, { type: "forward" }>, groups: Map<string, LbTargetGroup>, cond: string, fm?: ForwardMap): string[] {
  const known = a.targetGroups.filter((g) => groups.has(g.arn));
  const live = known.filter((g) => g.weight > 0);
  const pick = live.length ? live : known.slice(0, 1);
  if (pick.length === 0) return [`  http-request return status 503 if${cond} !picked`];
  if (fm) return forwardMapLines(pick, live.length > 0, groups, cond, fm);
  const total = pick.reduce((s, g) => s + (live.length ? g.weight : 1), 0);
  const lines: string[] = [];
  let from = 0;
  pick.forEach((g, i) => {
    const w = live.length ? g.weight : 1;
    const be = backendName(groups.get(g.arn)!);
    const range = pick.length === 1 ? "" : ` { var(txn.w) -m int ge ${Math.floor((from * 1000) / total)} }${i === pick.length - 1 ? "" : ` { var(txn.w) -m int lt ${Math.floor(((from + w) * 1000) / total)} }`}`;
    lines.push(`  http-request set-var(txn.be) str(${be}) if${cond}${range} !picked`);
    from += w;
  });
  return lines;
}

export function actionLines(a: LbAction, listener: LbListener, groups: Map<string, LbTargetGroup>, cond: string, fm?: ForwardMap): string[] {
  switch (a.type) {
    case "forward":
      return forwardLines(a, groups, cond, fm);
    case "fixed-response":
      return [fixedResponseLine(a, cond)];
    case "redirect":
      return redirectLines(a, listener, cond);
  }
}

/** Every line of an HTTP listener's routing, in priority order, ending with the default action. */
export function listenerRoutingLines(listener: LbListener, groups: Map<string, LbTargetGroup>, fm?: ForwardMap): string[] {
  const lines: string[] = ["  acl picked var(txn.be) -m found"];
  const weighted = [listener.defaultAction, ...listener.rules.map((r) => r.action)].some((a) => a.type === "forward" && a.targetGroups.length > 1);
  // With a forward map every listener draws its bucket, so that weights can change at runtime.
  if (fm) lines.push(`  http-request set-var(txn.w) rand(${FORWARD_BUCKETS})`);
  else if (weighted) lines.push("  http-request set-var(txn.w) rand(1000)");
  const rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  for (const rule of rules) {
    lines.push(`  # rule priority ${rule.priority}`);
    const names = rule.conditions.map((c, i) => {
      const name = `r${rule.priority}_${i}`;
      lines.push(`  acl ${name} ${conditionAcl(c)}`);
      return name;
    });
    // A rule without conditions never matches (ELB requires at least one).
    if (names.length === 0) continue;
    const cond = ` ${names.join(" ")}`;
    lines.push(...actionLines(rule.action, listener, groups, cond, fm));
  }
  lines.push("  # default action");
  lines.push(...actionLines(listener.defaultAction, listener, groups, "", fm));
  lines.push("  use_backend %[var(txn.be)] if picked");
  return lines;
}
