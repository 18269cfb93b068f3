import type { Shape, ShapeModel } from "../shape-model.js";

/** Text escaped for an XML element (as AWS writes it: quotes stay); characters XML 1.0 cannot carry are dropped. */
export function xmlEscape(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/\r/g, "&#xD;");
}

/** AWS's XML timestamps: ISO 8601 with milliseconds, UTC. Stored documents hold epoch seconds. */
export function xmlTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return new Date(value * 1000).toISOString();
  return String(value);
}

/**
 * Writes output values as XML, as the model's output shapes say: a structure member's element is
 * its `locationName` (else the member name), a list wraps its items in `lm` elements (`member`
 * when the model names none) unless it is flattened, scalars are text. Members the model does not
 * list are not written; nor are undefined and null values.
 */
export class XmlWriter {
  constructor(readonly model: ShapeModel) {}

  shape(name: string): Shape | undefined {
    return Object.hasOwn(this.model.shapes, name) ? this.model.shapes[name] : undefined;
  }

  /** The members of a structure value, without the structure's own element. */
  members(shapeName: string, value: unknown): string {
    const shape = this.shape(shapeName);
    if (!shape || shape.t !== "o" || typeof value !== "object" || value === null) return "";
    const v = value as Record<string, unknown>;
    let out = "";
    for (const [member, target] of Object.entries(shape.m as Record<string, string>)) {
      if (!Object.hasOwn(v, member)) continue;
      out += this.element(target, v[member], shape.l?.[member] ?? member);
    }
    return out;
  }

  element(shapeName: string, value: unknown, name: string): string {
    if (value === undefined || value === null) return "";
    const shape = this.shape(shapeName);
    if (!shape) return "";
    switch (shape.t) {
      case "o":
        return `<${name}>${this.members(shapeName, value)}</${name}>`;
      case "l": {
        const items = Array.isArray(value) ? value : [];
        const item = shape.m as string;
        if (shape.fl) return items.map((x) => this.element(item, x, shape.lm ?? name)).join("");
        if (items.length === 0) return `<${name}/>`;
        const tag = shape.lm ?? "member";
        return `<${name}>${items.map((x) => this.element(item, x, tag)).join("")}</${name}>`;
      }
      case "m": {
        const entries = typeof value === "object" ? Object.entries(value as Record<string, unknown>) : [];
        const body = entries
          .map(([k, v]) => `<entry>${this.element(shape.k!, k, "key")}${this.element(shape.v!, v, "value")}</entry>`)
          .join("");
        return `<${name}>${body}</${name}>`;
      }
      case "t":
        return `<${name}>${xmlEscape(xmlTimestamp(value))}</${name}>`;
      case "b":
        return `<${name}>${value ? "true" : "false"}</${name}>`;
      default:
        return `<${name}>${xmlEscape(String(value))}</${name}>`;
    }
  }
}
