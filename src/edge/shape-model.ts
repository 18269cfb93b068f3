import { AwsError, invalidParameter, serializationError } from "../core/errors.js";
import {
  allConstraints,
  inEnum,
  lengthAtLeast,
  lengthAtMost,
  mapKeyConstraint,
  mapValueConstraint,
  matchesPattern,
  memberConstraint,
  NOT_NULL,
  validationMessage,
  valueAtLeast,
  valueAtMost,
  violation,
} from "../core/validation/constraint-text.js";
import { codePointLength, matchesJavaPattern } from "../core/validation/java-pattern.js";

/**
 * A compact form of an AWS service model's input shapes (see scripts/gen-models.py):
 * `o` structure (members, required), `l` list, `m` map, `s` string, `i` integer/long,
 * `d` double, `b` boolean, `t` timestamp; with the model's constraints: `min`/`max` (length of a
 * string, list or map; value of a number), `e` enum values, `p` a Java pattern.
 */
export interface Shape {
  t: "o" | "l" | "m" | "s" | "i" | "d" | "b" | "t" | "any";
  m?: Record<string, string> | string;
  r?: string[];
  k?: string;
  v?: string;
  e?: string[];
  min?: number;
  max?: number;
  p?: string;
  /** XML protocols only: a structure's members' `locationName`s (where the model gives one). */
  l?: Record<string, string>;
  /** XML protocols only: a structure's members' `queryName`s (EC2 input names that override the rest). */
  q?: Record<string, string>;
  /** XML protocols only: a list member's `locationName` (`item` in EC2, `member` by default). */
  lm?: string;
  /** XML protocols only: the list is flattened (no wrapper element). */
  fl?: boolean;
}
export interface ShapeModel {
  /** Set for the XML protocols (`ec2`, `query`); JSON models leave it out. */
  protocol?: "ec2" | "query";
  xmlNamespace?: string;
  operations: Record<string, string | null>;
  /** XML protocols only: each operation's output shape (what the serializer writes). */
  outputs?: Record<string, string | null>;
  shapes: Record<string, Shape>;
}

/** Largest string accepted in a member the model leaves unbounded: far above any real value, far below abuse. */
export const MAX_STRING_LENGTH = 64 * 1024;

export interface ValidationOptions {
  /**
   * How a missing required member is reported: "not-null" (CloudWatch Logs) lists it with the
   * other violations as AWS's framework does ("Value null at 'x' failed to satisfy constraint:
   * Member must not be null"); "missing-parameter" (ECS, the default) answers "Missing required
   * parameter: 'x'." at once.
   */
  required?: "not-null" | "missing-parameter";
  /** Shapes exempt from Wharf's MAX_STRING_LENGTH guard (the service's body limit bounds them). */
  uncapped?: ReadonlySet<string>;
  /**
   * A service whose errors are not the JSON services' (EC2: `MissingParameter`,
   * `InvalidParameterValue`): the walk stops at the first problem and throws what this returns.
   */
  reporter?: ValidationReporter;
  /** How a member is named in a violation's path (the Query services: camelCase, `tags.1.member.key`). */
  pathName?: (member: string) => string;
}

/** What a value broke: a bound (of a length or a value), an enum, a pattern, or null in a list. */
export type ViolatedRule =
  | { kind: "min" | "max"; of: "length" | "value"; bound: number }
  | { kind: "enum"; values: string[] }
  | { kind: "pattern"; pattern: string }
  | { kind: "null" };

/** Member names and 0-based list indexes from the input's root to the value. */
export type ValuePath = ReadonlyArray<string | number>;

export interface ValidationReporter {
  missing(path: ValuePath): AwsError;
  violation(value: unknown, path: ValuePath, rule: ViolatedRule): AwsError;
}

/**
 * Checks an operation's input against the model, as AWS does before the operation runs:
 * wrong JSON types → `SerializationException`; values outside the model's constraints (lengths,
 * ranges, enums, patterns, required members) → one `InvalidParameterException` listing every
 * violation in AWS's words. Members the model does not know are dropped, as AWS ignores them.
 * Returns the cleaned input.
 */
export function validateInput(
  model: ShapeModel,
  operation: string,
  input: Record<string, unknown>,
  options: ValidationOptions = {},
): Record<string, unknown> {
  const shapeName = model.operations[operation];
  if (!shapeName) return {};
  const walk = new Walk(model, options);
  const out = walk.check(shapeName, input) as Record<string, unknown>;
  if (walk.violations.length > 0) throw invalidParameter(validationMessage(walk.violations));
  return out;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "structure" : typeof v;
}

const isScalarShape = (s: Shape) => s.t === "s" || s.t === "i" || s.t === "d" || s.t === "b" || s.t === "t";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** One validation pass: the path to the current value (kept as segments, rendered only on error) and what broke. */
class Walk {
  readonly violations: string[] = [];
  /** Member names, and list indexes (numbers, 0-based). */
  readonly #path: Array<string | number> = [];

  constructor(
    readonly model: ShapeModel,
    readonly options: ValidationOptions,
  ) {}

  /** AWS's form: `a.b.3.member.c`. */
  awsPath(extra?: string): string {
    const name = this.options.pathName ?? ((m: string) => m);
    const parts = this.#path.map((s) => (typeof s === "number" ? `${s + 1}.member` : name(s)));
    if (extra !== undefined) parts.push(name(extra));
    return parts.join(".");
  }

  /** The form of Wharf's type errors: `a.b[2].c`. */
  indexPath(extra?: string): string {
    let out = "";
    for (const s of extra === undefined ? this.#path : [...this.#path, extra]) {
      out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
    }
    return out || "input";
  }

  shape(name: string): Shape | undefined {
    return Object.hasOwn(this.model.shapes, name) ? this.model.shapes[name] : undefined;
  }

  fail(value: unknown, constraint: string, extra?: string, rule?: ViolatedRule): void {
    const reporter = this.options.reporter;
    if (reporter && rule) throw reporter.violation(value, extra === undefined ? this.#path : [...this.#path, extra], rule);
    this.violations.push(violation(value, this.awsPath(extra), constraint));
  }

  wrong(expected: string, value: unknown): AwsError {
    return serializationError(`Expected ${expected} at '${this.indexPath()}', got ${typeName(value)}.`);
  }

  at<T>(segment: string | number, f: () => T): T {
    this.#path.push(segment);
    try {
      return f();
    } finally {
      this.#path.pop();
    }
  }

  check(name: string, value: unknown): unknown {
    const shape = this.shape(name);
    if (!shape) return value;
    switch (shape.t) {
      case "o":
        return this.structure(shape, value);
      case "l":
        return this.list(shape, value);
      case "m":
        return this.map(shape, value);
      case "s":
        return this.string(name, shape, value);
      case "i":
        if (typeof value !== "number" || !Number.isInteger(value)) throw this.wrong("an integer", value);
        this.range(shape, value);
        return value;
      case "d":
      case "t":
        if (typeof value !== "number" || !Number.isFinite(value)) throw this.wrong(shape.t === "t" ? "a timestamp" : "a number", value);
        this.range(shape, value);
        return value;
      case "b":
        if (typeof value !== "boolean") throw this.wrong("a boolean", value);
        return value;
      default:
        return value;
    }
  }

  structure(shape: Shape, value: unknown): Record<string, unknown> {
    if (!isRecord(value)) throw this.wrong("a structure", value);
    const members = shape.m as Record<string, string>;
    const required = shape.r;
    const out: Record<string, unknown> = {};
    let missing: string | undefined;
    // In the model's member order, as AWS lists violations. Own keys only: a `constructor` or
    // `__proto__` in the input must not reach Object's.
    for (const k in members) {
      const v = Object.hasOwn(value, k) ? value[k] : undefined;
      if (v === null || v === undefined) {
        if (!required?.includes(k)) continue;
        if (this.options.reporter) throw this.options.reporter.missing([...this.#path, k]);
        if (this.options.required === "not-null") this.fail(null, NOT_NULL, k);
        else missing ??= k;
        continue;
      }
      out[k] = this.at(k, () => this.check(members[k]!, v));
    }
    if (missing !== undefined) throw invalidParameter(`Missing required parameter: '${this.indexPath(missing)}'.`);
    return out;
  }

  list(shape: Shape, value: unknown): unknown[] {
    if (!Array.isArray(value)) throw this.wrong("a list", value);
    this.length(shape, value.length, value);
    const itemName = shape.m as string;
    const item = this.shape(itemName);
    // A list of plain values is reported as a whole, once, with every constraint of its members.
    const scalar = item !== undefined && isScalarShape(item);
    const before = this.violations.length;
    const out = value.map((v, i) => (v === null ? v : this.at(i, () => this.check(itemName, v))));
    if (scalar && this.violations.length > before) {
      this.violations.length = before;
      this.fail(value, memberConstraint(allConstraints(item, item.t !== "s")));
    }
    // A null member never reaches an operation (operations read list members as values).
    value.forEach((v, i) => {
      if (v === null) this.at(i, () => this.fail(null, "Member must not be null", undefined, { kind: "null" }));
    });
    return out;
  }

  map(shape: Shape, value: unknown): Record<string, unknown> {
    if (!isRecord(value)) throw this.wrong("a map", value);
    const entries = Object.entries(value);
    this.length(shape, entries.length, value);
    const keyShape = shape.k ? this.shape(shape.k) : undefined;
    const valueShape = shape.v ? this.shape(shape.v) : undefined;
    let badKey = false;
    const before = this.violations.length;
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      if (k.length > MAX_STRING_LENGTH) throw invalidParameter(`A key of '${this.indexPath()}' is too long.`);
      if (keyShape?.t === "s" && !this.stringOk(keyShape, k)) badKey = true;
      // defineProperty: a user key `__proto__` stays a plain entry instead of replacing the prototype.
      Object.defineProperty(out, k, {
        value: v === null ? v : this.at(k, () => this.check(shape.v!, v)),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    // Plain map values are reported at the map, once, with every constraint of the value shape.
    if (valueShape && isScalarShape(valueShape) && this.violations.length > before) {
      this.violations.length = before;
      this.fail(value, mapValueConstraint(allConstraints(valueShape, valueShape.t !== "s")));
    }
    if (badKey) this.fail(value, mapKeyConstraint(allConstraints(keyShape!, false)));
    return out;
  }

  string(name: string, shape: Shape, value: unknown): string {
    if (typeof value !== "string") throw this.wrong("a string", value);
    if (shape.max === undefined && value.length > MAX_STRING_LENGTH && !this.options.uncapped?.has(name)) {
      throw invalidParameter(`'${this.indexPath()}' is ${value.length} characters long; at most ${MAX_STRING_LENGTH} are allowed.`);
    }
    if (shape.min !== undefined || shape.max !== undefined) this.length(shape, codePointLength(value), value);
    if (shape.p !== undefined && !matchesJavaPattern(shape.p, value)) {
      this.fail(value, matchesPattern(shape.p), undefined, { kind: "pattern", pattern: shape.p });
    }
    if (shape.e && !shape.e.includes(value)) this.fail(value, inEnum(shape.e), undefined, { kind: "enum", values: shape.e });
    return value;
  }

  stringOk(shape: Shape, value: string): boolean {
    if (shape.min !== undefined || shape.max !== undefined) {
      const n = codePointLength(value);
      if ((shape.min !== undefined && n < shape.min) || (shape.max !== undefined && n > shape.max)) return false;
    }
    if (shape.p !== undefined && !matchesJavaPattern(shape.p, value)) return false;
    return !shape.e || shape.e.includes(value);
  }

  length(shape: Shape, n: number, value: unknown): void {
    if (shape.max !== undefined && n > shape.max) this.fail(value, lengthAtMost(shape.max), undefined, { kind: "max", of: "length", bound: shape.max });
    if (shape.min !== undefined && n < shape.min) this.fail(value, lengthAtLeast(shape.min), undefined, { kind: "min", of: "length", bound: shape.min });
  }

  range(shape: Shape, n: number): void {
    if (shape.max !== undefined && n > shape.max) this.fail(n, valueAtMost(shape.max), undefined, { kind: "max", of: "value", bound: shape.max });
    if (shape.min !== undefined && n < shape.min) this.fail(n, valueAtLeast(shape.min), undefined, { kind: "min", of: "value", bound: shape.min });
  }
}

/** Operations present in the model but not (yet) served answer with this. */
export const notImplemented = (service: string, op: string): AwsError =>
  new AwsError("UnsupportedFeatureException", `${service} ${op} is not implemented by Wharf yet.`);
