import type { AwsError } from "../../core/errors.js";
import type { Shape, ShapeModel } from "../shape-model.js";

/**
 * Query-family input (EC2 and Query protocols): a flat list of `Name.1.Sub=value` pairs, read
 * back into the operation's typed input (member names of the model, numbers, booleans, lists)
 * by walking the model. Wire names follow botocore's serializers:
 *
 * - EC2: a member's name is its `queryName`, else its `locationName` capitalised, else the member
 *   name; every list is flattened as `Name.N` (1-based).
 * - Query: a member's name is its `locationName`, else the member name; a list is
 *   `Name.member.N` (the list member's `locationName` instead of `member`, when given) unless the
 *   list is flattened (`Name.N`); a map is `Name.entry.N.key` / `.value`.
 *
 * Keys the model does not know are reported (EC2 answers `UnknownParameter`) or, without an
 * `unknown` error, ignored.
 */
export type QueryFlavor = "ec2" | "query";

export interface QueryErrors {
  /** A value that cannot be read as the member's type (`abc` for an integer). */
  badValue(wireName: string, value: string, expected: string): AwsError;
  /** A key the operation's input does not have (absent: such keys are ignored, as the Query services do). */
  unknown?(wireName: string): AwsError;
}

/** The pairs of a form body or query string; a repeated key keeps its last value. */
export function parseQueryPairs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(text)) out.set(k, v);
  return out;
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A structure member's name on the wire. */
export function wireName(flavor: QueryFlavor, shape: Shape, member: string): string {
  if (flavor === "ec2") {
    const q = shape.q?.[member];
    if (q !== undefined) return q;
    const l = shape.l?.[member];
    return l !== undefined ? cap(l) : member;
  }
  return shape.l?.[member] ?? member;
}

/** Reads `params` (Action and Version already removed) into the input of `shapeName`. */
export function decodeQueryInput(
  model: ShapeModel,
  shapeName: string | null | undefined,
  params: Map<string, string>,
  flavor: QueryFlavor,
  errors: QueryErrors,
): Record<string, unknown> {
  // children.get(prefix) = the next segments under `prefix` ("" is the root).
  const children = new Map<string, Set<string>>();
  for (const key of params.keys()) {
    let prefix = "";
    for (const seg of key.split(".")) {
      let set = children.get(prefix);
      if (!set) children.set(prefix, (set = new Set()));
      set.add(seg);
      prefix = prefix ? `${prefix}.${seg}` : seg;
    }
  }
  const used = new Set<string>();
  const shapeOf = (name: string): Shape | undefined => (Object.hasOwn(model.shapes, name) ? model.shapes[name] : undefined);

  const scalar = (shape: Shape, key: string): unknown => {
    const raw = params.get(key)!;
    used.add(key);
    const lastName = key.slice(key.lastIndexOf(".") + 1);
    switch (shape.t) {
      case "i": {
        if (!/^[+-]?\d+$/.test(raw.trim())) throw errors.badValue(lastName, raw, "integer");
        const n = Number(raw);
        if (!Number.isSafeInteger(n)) throw errors.badValue(lastName, raw, "integer");
        return n;
      }
      case "d": {
        const n = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(n)) throw errors.badValue(lastName, raw, "number");
        return n;
      }
      case "b": {
        const b = raw.toLowerCase();
        if (b !== "true" && b !== "false") throw errors.badValue(lastName, raw, "boolean");
        return b === "true";
      }
      case "t": {
        const ms = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
        if (!Number.isFinite(ms)) throw errors.badValue(lastName, raw, "timestamp");
        return ms / 1000;
      }
      default:
        return raw;
    }
  };

  const indexes = (prefix: string): string[] =>
    [...(children.get(prefix) ?? [])].filter((s) => /^\d+$/.test(s)).sort((a, b) => Number(a) - Number(b));

  const read = (name: string, key: string): unknown => {
    const shape = shapeOf(name);
    if (!shape) return undefined;
    const hasValue = params.has(key);
    const hasChildren = children.has(key);
    if (shape.t === "o") {
      if (!hasChildren) {
        if (hasValue) used.add(key); // `Name=` for a structure: nothing to read (AWS ignores it too)
        return undefined;
      }
      return structure(shape, key);
    }
    if (shape.t === "l") {
      if (!hasChildren) {
        if (hasValue) used.add(key); // an empty list is sent as `Name=` by botocore
        return hasValue ? [] : undefined;
      }
      let base = key;
      if (flavor === "query" && !shape.fl) {
        base = `${key}.${shape.lm ?? "member"}`;
        if (!children.has(base)) return undefined;
      }
      return indexes(base).map((i) => read(shape.m as string, `${base}.${i}`));
    }
    if (shape.t === "m") {
      const base = flavor === "query" ? `${key}.entry` : key;
      const out: Record<string, unknown> = {};
      for (const i of indexes(base)) {
        const k = read(shape.k!, `${base}.${i}.key`);
        if (typeof k !== "string") continue;
        Object.defineProperty(out, k, { value: read(shape.v!, `${base}.${i}.value`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (!hasValue) return undefined;
    return scalar(shape, key);
  };

  const structure = (shape: Shape, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [member, target] of Object.entries(shape.m as Record<string, string>)) {
      const w = wireName(flavor, shape, member);
      const v = read(target, prefix ? `${prefix}.${w}` : w);
      if (v !== undefined) out[member] = v;
    }
    return out;
  };

  const root = shapeName ? shapeOf(shapeName) : undefined;
  const input = root && root.t === "o" ? structure(root, "") : {};
  for (const key of params.keys()) {
    if (!used.has(key) && errors.unknown) throw errors.unknown(key);
  }
  return input;
}
