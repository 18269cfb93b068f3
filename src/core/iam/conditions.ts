/**
 * Condition blocks (IAM User Guide, "Condition operators", "Conditions with multiple context
 * keys or values", "Set operators for multivalued context keys"), compiled once per statement.
 *
 * - Operators AND, keys within an operator AND, a key's values OR — NOR for negated operators.
 * - A key missing from the request: the condition is false, except that negated operators
 *   (StringNotEquals, ArnNotLike, …) are true, `…IfExists` is true, and Null tests presence.
 * - `ForAnyValue:`: true if some request value matches; a missing key or empty set is false.
 *   `ForAllValues:`: true if every request value matches; a missing key or empty set is true.
 * - Key names are case-insensitive. String and ARN values (and Bool) take policy variables.
 */
import { compileGlob, type Matcher } from "./glob.js";
import { compileArnLike } from "./arn-match.js";
import type { ContextMap, ContextValue } from "./context.js";
import { cidrContains, parseCidr, parseIp } from "./ip.js";
import { NEGATED } from "./operators.js";
import { parseDateValue } from "./policy.js";
import { parseTemplate, resolveTemplate, type Template } from "./variables.js";

/** A compiled condition block: true when the statement's conditions hold for the context. */
export type ConditionTest = (ctx: ContextMap) => boolean;

type ValueTest = (requestValue: string) => boolean;
/** Builds, from one policy value (after variables), the test of one request value. */
type ValueCompiler = (policyValue: string) => ValueTest;

const num = (s: string): number | undefined => (/^\s*-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : undefined);
const cmp = (test: (a: number, b: number) => boolean, parse: (s: string) => number | undefined): ValueCompiler => (pv) => {
  const b = parse(pv);
  return b === undefined ? () => false : (rv) => {
    const a = parse(rv);
    return a !== undefined && test(a, b);
  };
};
const dateOf = (s: string) => parseDateValue(s);

/** The positive operators. */
const BASE: Readonly<Record<string, ValueCompiler>> = {
  StringEquals: (pv) => (rv) => rv === pv,
  StringEqualsIgnoreCase: (pv) => {
    const l = pv.toLowerCase();
    return (rv) => rv.toLowerCase() === l;
  },
  StringLike: (pv) => compileGlob(pv),
  NumericEquals: cmp((a, b) => a === b, num),
  NumericLessThan: cmp((a, b) => a < b, num),
  NumericLessThanEquals: cmp((a, b) => a <= b, num),
  NumericGreaterThan: cmp((a, b) => a > b, num),
  NumericGreaterThanEquals: cmp((a, b) => a >= b, num),
  DateEquals: cmp((a, b) => a === b, dateOf),
  DateLessThan: cmp((a, b) => a < b, dateOf),
  DateLessThanEquals: cmp((a, b) => a <= b, dateOf),
  DateGreaterThan: cmp((a, b) => a > b, dateOf),
  DateGreaterThanEquals: cmp((a, b) => a >= b, dateOf),
  Bool: (pv) => {
    const l = pv.toLowerCase();
    return (rv) => rv.toLowerCase() === l;
  },
  BinaryEquals: (pv) => (rv) => rv === pv,
  IpAddress: (pv) => {
    const c = parseCidr(pv.trim());
    return c === undefined ? () => false : (rv) => {
      const ip = parseIp(rv);
      return ip !== undefined && cidrContains(c, ip);
    };
  },
  ArnEquals: (pv) => compileArnLike(pv),
  ArnLike: (pv) => compileArnLike(pv),
};

/** Operators whose values take policy variables. */
const TAKES_VARIABLES = new Set(["StringEquals", "StringEqualsIgnoreCase", "StringLike", "Bool", "ArnEquals", "ArnLike"]);

interface Entry {
  readonly key: string;
  readonly test: (v: ContextValue | undefined, ctx: ContextMap) => boolean;
}

/** One operator's values for one key, as a test of "does request value rv match any of them". */
function anyOf(base: string, values: readonly string[], variablesOn: boolean): (ctx: ContextMap) => ValueTest {
  const compile = BASE[base]!;
  const useVars = variablesOn && TAKES_VARIABLES.has(base);
  const templates: Template[] = values.map((v) => parseTemplate(v, useVars));
  if (templates.every((t) => !t.hasVariables)) {
    const tests = values.map(compile);
    const fixed: ValueTest = tests.length === 1 ? tests[0]! : (rv) => tests.some((t) => t(rv));
    return () => fixed;
  }
  return (ctx) => {
    const tests: ValueTest[] = [];
    for (const t of templates) {
      const s = resolveTemplate(t, (k) => ctx.getLower(k));
      if (s !== undefined) tests.push(compile(s)); // an unresolved variable matches nothing
    }
    return (rv) => tests.some((t) => t(rv));
  };
}

function entry(op: string, key: string, values: readonly string[], variablesOn: boolean): Entry {
  let name = op;
  let set: "any" | "all" | undefined;
  if (name.startsWith("ForAnyValue:")) (set = "any"), (name = name.slice(12));
  else if (name.startsWith("ForAllValues:")) (set = "all"), (name = name.slice(13));
  let ifExists = false;
  if (name.endsWith("IfExists")) (ifExists = true), (name = name.slice(0, -8));
  const k = key.toLowerCase();
  if (name === "Null") {
    const wants = values.map((v) => v.toLowerCase());
    return {
      key: k,
      test: (v) => {
        const absent = v === undefined || (Array.isArray(v) && v.length === 0);
        return wants.some((w) => (w === "true" ? absent : w === "false" ? !absent : false));
      },
    };
  }
  const positive = NEGATED[name] ?? name;
  const negated = positive !== name;
  const matcherFor = anyOf(positive, values, variablesOn);
  return {
    key: k,
    test: (v, ctx) => {
      const list: readonly string[] | undefined = v === undefined ? undefined : typeof v === "string" ? [v] : v;
      if (set === "any") {
        if (list === undefined || list.length === 0) return ifExists && list === undefined;
        const m = matcherFor(ctx);
        return list.some((rv) => m(rv) !== negated);
      }
      if (set === "all") {
        if (list === undefined || list.length === 0) return true;
        const m = matcherFor(ctx);
        return list.every((rv) => m(rv) !== negated);
      }
      if (list === undefined) return ifExists || negated;
      const m = matcherFor(ctx);
      const hit = list.some(m);
      return negated ? !hit : hit;
    },
  };
}

/** Compiles a statement's Condition element (already validated by parsePolicy). */
export function compileConditions(
  condition: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> | undefined,
  variablesOn: boolean,
): ConditionTest | undefined {
  if (!condition) return undefined;
  const entries: Entry[] = [];
  for (const [op, block] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(block)) entries.push(entry(op, key, values, variablesOn));
  }
  if (entries.length === 0) return undefined;
  return (ctx) => entries.every((e) => e.test(ctx.getLower(e.key), ctx));
}
