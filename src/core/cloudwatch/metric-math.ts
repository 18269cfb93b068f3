/**
 * CloudWatch metric math, the part Wharf evaluates: numbers, the ids of other queries,
 * `+ - * / ^`, parentheses, unary minus, `[a, b]` arrays, `METRICS()` / `METRICS("str")`, and the
 * functions SUM, AVG, MIN, MAX (over an array of series: one series; over one series: a scalar, the
 * statistic of all its datapoints), ABS. Anything else is refused with a message naming it.
 * Series are maps period start (seconds) → value.
 */

export type Series = Map<number, number>;
export type MathValue = { kind: "scalar"; value: number } | { kind: "series"; series: Series } | { kind: "array"; list: Series[] };

export class MathError extends Error {}

type Node =
  | { t: "num"; v: number }
  | { t: "str"; v: string }
  | { t: "id"; v: string }
  | { t: "neg"; a: Node }
  | { t: "bin"; op: string; a: Node; b: Node }
  | { t: "arr"; items: Node[] }
  | { t: "call"; name: string; args: Node[] };

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|[-+*/^(),[\]])/y;
  let i = 0;
  while (i < src.length) {
    if (/^\s*$/.test(src.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(src);
    if (!m) throw new MathError(`Error in expression: Unexpected character at position ${i + 1}: '${src.slice(i).trim()[0]}'`);
    out.push(m[1]!);
    i = re.lastIndex;
  }
  return out;
}

export function parseExpression(src: string): Node {
  const toks = tokenize(src);
  let i = 0;
  const peek = () => toks[i];
  const eat = (t?: string) => {
    const v = toks[i];
    if (v === undefined || (t !== undefined && v !== t)) throw new MathError(`Error in expression: expected ${t ?? "a value"} at token ${i + 1}`);
    i++;
    return v;
  };
  const primary = (): Node => {
    const t = eat();
    if (t === "(") {
      const e = sum();
      eat(")");
      return e;
    }
    if (t === "-") return { t: "neg", a: power() };
    if (t === "[") {
      const items: Node[] = [];
      if (peek() !== "]") for (;;) {
        items.push(sum());
        if (peek() === ",") eat(",");
        else break;
      }
      eat("]");
      return { t: "arr", items };
    }
    if (/^\d/.test(t)) return { t: "num", v: Number(t) };
    if (t.startsWith('"')) return { t: "str", v: t.slice(1, -1) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") {
        eat("(");
        const args: Node[] = [];
        if (peek() !== ")") for (;;) {
          args.push(sum());
          if (peek() === ",") eat(",");
          else break;
        }
        eat(")");
        return { t: "call", name: t.toUpperCase(), args };
      }
      return { t: "id", v: t };
    }
    throw new MathError(`Error in expression: unexpected '${t}'`);
  };
  const power = (): Node => {
    const a = primary();
    if (peek() === "^") {
      eat("^");
      return { t: "bin", op: "^", a, b: power() };
    }
    return a;
  };
  const product = (): Node => {
    let a = power();
    while (peek() === "*" || peek() === "/") {
      const op = eat();
      a = { t: "bin", op, a, b: power() };
    }
    return a;
  };
  const sum = (): Node => {
    let a = product();
    while (peek() === "+" || peek() === "-") {
      const op = eat();
      a = { t: "bin", op, a, b: product() };
    }
    return a;
  };
  const root = sum();
  if (i < toks.length) throw new MathError(`Error in expression: unexpected '${toks[i]}'`);
  return root;
}

/** The ids an expression reads (to order the queries and check they exist). */
export function referencedIds(node: Node): string[] {
  switch (node.t) {
    case "id":
      return [node.v];
    case "neg":
      return referencedIds(node.a);
    case "bin":
      return [...referencedIds(node.a), ...referencedIds(node.b)];
    case "arr":
    case "call":
      return (node.t === "arr" ? node.items : node.args).flatMap(referencedIds);
    default:
      return [];
  }
}

export interface MathEnv {
  /** Another query's result by id. */
  lookup(id: string): MathValue | undefined;
  /** Every metric (MetricStat) result of the request, for METRICS(); with a filter, those whose id contains it. */
  metrics(filter?: string): Series[];
}

const apply = (op: string, x: number, y: number): number =>
  op === "+" ? x + y : op === "-" ? x - y : op === "*" ? x * y : op === "/" ? x / y : Math.pow(x, y);

function mapSeries(s: Series, f: (v: number) => number): Series {
  const out: Series = new Map();
  for (const [t, v] of s) out.set(t, f(v));
  return out;
}

function binary(op: string, a: MathValue, b: MathValue): MathValue {
  if (a.kind === "scalar" && b.kind === "scalar") return { kind: "scalar", value: apply(op, a.value, b.value) };
  if (a.kind === "array" || b.kind === "array") {
    if (a.kind === "array" && b.kind !== "array") return { kind: "array", list: a.list.map((s) => seriesOf(binary(op, { kind: "series", series: s }, b))) };
    if (b.kind === "array" && a.kind !== "array") return { kind: "array", list: b.list.map((s) => seriesOf(binary(op, a, { kind: "series", series: s }))) };
    throw new MathError("Error in expression: operations between two arrays of time series are not supported");
  }
  if (a.kind === "scalar") return { kind: "series", series: mapSeries((b as { series: Series }).series, (v) => apply(op, a.value, v)) };
  if (b.kind === "scalar") return { kind: "series", series: mapSeries(a.series, (v) => apply(op, v, b.value)) };
  const out: Series = new Map();
  for (const [t, v] of a.series) {
    const w = b.series.get(t);
    if (w !== undefined) out.set(t, apply(op, v, w));
  }
  return { kind: "series", series: out };
}

const seriesOf = (v: MathValue): Series => {
  if (v.kind !== "series") throw new MathError("Error in expression: expected a time series");
  return v.series;
};

const reducers: Record<string, (xs: number[]) => number> = {
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
};

function reduce(name: string, v: MathValue): MathValue {
  const f = reducers[name]!;
  if (v.kind === "scalar") return v;
  if (v.kind === "series") {
    const xs = [...v.series.values()];
    return { kind: "scalar", value: xs.length ? f(xs) : NaN };
  }
  // Across an array: one series, per timestamp over the series that have it.
  const at = new Map<number, number[]>();
  for (const s of v.list) for (const [t, x] of s) (at.get(t) ?? at.set(t, []).get(t)!).push(x);
  const out: Series = new Map();
  for (const t of [...at.keys()].sort((a, b) => a - b)) out.set(t, f(at.get(t)!));
  return { kind: "series", series: out };
}

export function evaluateExpression(node: Node, env: MathEnv): MathValue {
  const ev = (n: Node): MathValue => {
    switch (n.t) {
      case "num":
        return { kind: "scalar", value: n.v };
      case "str":
        throw new MathError("Error in expression: a string is only allowed as METRICS()'s argument");
      case "id": {
        const v = env.lookup(n.v);
        if (!v) throw new MathError(`Error in expression: Unrecognized metric or expression id '${n.v}'`);
        return v;
      }
      case "neg":
        return binary("*", { kind: "scalar", value: -1 }, ev(n.a));
      case "bin":
        return binary(n.op, ev(n.a), ev(n.b));
      case "arr": {
        const list: Series[] = [];
        for (const item of n.items) {
          const v = ev(item);
          if (v.kind === "series") list.push(v.series);
          else if (v.kind === "array") list.push(...v.list);
          else throw new MathError("Error in expression: an array holds time series only");
        }
        return { kind: "array", list };
      }
      case "call": {
        if (n.name === "METRICS") {
          const arg = n.args[0];
          if (arg && arg.t !== "str") throw new MathError("Error in expression: METRICS() takes a string");
          return { kind: "array", list: env.metrics(arg?.t === "str" ? arg.v : undefined) };
        }
        if (n.name === "ABS") {
          if (n.args.length !== 1) throw new MathError("Error in expression: ABS takes one argument");
          return mapAbs(ev(n.args[0]!));
        }
        if (Object.hasOwn(reducers, n.name)) {
          if (n.args.length !== 1) throw new MathError(`Error in expression: ${n.name} takes one argument`);
          return reduce(n.name, ev(n.args[0]!));
        }
        throw new MathError(`Error in expression: Unsupported function ${n.name}`);
      }
    }
  };
  return ev(node);
}

function mapAbs(v: MathValue): MathValue {
  if (v.kind === "series") return { kind: "series", series: mapSeries(v.series, Math.abs) };
  if (v.kind === "array") return { kind: "array", list: v.list.map((s) => mapSeries(s, Math.abs)) };
  return { kind: "scalar", value: Math.abs(v.value) };
}
