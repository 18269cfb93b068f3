import { AwsError, invalidParameter, serializationError } from "../core/errors.js";

/**
 * A compact form of an AWS service model's input shapes (see scripts/gen-models.py):
 * `o` structure (members, required), `l` list, `m` map, `s` string (enum), `i` integer,
 * `d` double, `b` boolean, `t` timestamp.
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
}
export interface ShapeModel {
  operations: Record<string, string | null>;
  shapes: Record<string, Shape>;
}

/** Largest string accepted in any member: far above any real ECS value, far below abuse. */
export const MAX_STRING_LENGTH = 64 * 1024;

/**
 * Checks an operation's input against the model, as AWS does before the operation runs:
 * wrong JSON types → `SerializationException`; a missing required member or a value outside
 * an enum → `InvalidParameterException` naming the member. Members the model does not know
 * are dropped, as AWS ignores them. Returns the cleaned input.
 */
export function validateInput(model: ShapeModel, operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const shapeName = model.operations[operation];
  if (!shapeName) return {};
  return check(model, shapeName, input, "") as Record<string, unknown>;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  return typeof v === "object" ? "structure" : typeof v;
}

function check(model: ShapeModel, name: string, value: unknown, path: string): unknown {
  const shape = Object.hasOwn(model.shapes, name) ? model.shapes[name] : undefined;
  if (!shape) return value;
  const where = path || "input";
  const wrong = (expected: string) =>
    serializationError(`Expected ${expected} at '${where}', got ${typeName(value)}.`);
  switch (shape.t) {
    case "o": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrong("a structure");
      const members = shape.m as Record<string, string>;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        // Own members only: a `constructor` or `__proto__` key must not reach Object's.
        const member = Object.hasOwn(members, k) ? members[k] : undefined;
        if (member === undefined || v === null || v === undefined) continue;
        out[k] = check(model, member, v, path ? `${path}.${k}` : k);
      }
      for (const req of shape.r ?? []) {
        if (out[req] === undefined) {
          throw invalidParameter(`Missing required parameter: '${path ? `${path}.${req}` : req}'.`);
        }
      }
      return out;
    }
    case "l": {
      if (!Array.isArray(value)) throw wrong("a list");
      if (shape.max !== undefined && value.length > shape.max) {
        throw invalidParameter(`'${where}' has ${value.length} items; at most ${shape.max} are allowed.`);
      }
      return value.map((v, i) => (v === null ? v : check(model, shape.m as string, v, `${where}[${i}]`)));
    }
    case "m": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrong("a map");
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k.length > MAX_STRING_LENGTH) throw invalidParameter(`A key of '${where}' is too long.`);
        // defineProperty: a user key `__proto__` stays a plain entry instead of replacing the prototype.
        Object.defineProperty(out, k, {
          value: v === null ? v : check(model, shape.v!, v, `${where}.${k}`),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case "s":
      if (typeof value !== "string") throw wrong("a string");
      {
        // A model's own string maximum (CloudWatch Logs' models carry them; a log event may be 1 MB).
        const limit = shape.max ?? MAX_STRING_LENGTH;
        if (value.length > limit) {
          throw invalidParameter(`'${where}' is ${value.length} characters long; at most ${limit} are allowed.`);
        }
      }
      if (shape.e && !shape.e.includes(value)) {
        throw invalidParameter(
          `Invalid value '${value}' for '${where}'. Valid values: ${shape.e.join(", ")}.`,
        );
      }
      return value;
    case "i":
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrong("an integer");
      return value;
    case "d":
    case "t":
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrong(shape.t === "t" ? "a timestamp" : "a number");
      return value;
    case "b":
      if (typeof value !== "boolean") throw wrong("a boolean");
      return value;
    default:
      return value;
  }
}

/** Operations present in the model but not (yet) served answer with this. */
export const notImplemented = (service: string, op: string): AwsError =>
  new AwsError("UnsupportedFeatureException", `${service} ${op} is not implemented by Wharf yet.`);
