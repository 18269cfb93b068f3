/**
 * Policy variables (IAM User Guide, "IAM policy elements: Variables and tags"): `${key}` in a
 * Resource, NotResource or a String/Arn condition value is replaced by the request context's
 * value for `key` (key names case-insensitive); `${key, 'default'}` falls back to the default
 * text (`''` inside it is one quote). `${*}`, `${?}` and `${$}` are a literal `*`, `?` and `$`.
 * A variable whose key is absent, or multivalued, with no default cannot be resolved: the
 * value it sits in matches nothing. One round of replacement only. Version 2008-10-17 policies
 * have no variables: `${...}` is literal text there.
 */
import { LITERAL_QMARK, LITERAL_STAR } from "./glob.js";
import type { ContextValue } from "./context.js";

type Part = { text: string } | { key: string; fallback?: string } | { lit: string };

/** A template: literal text and variables, parsed once at compile time. */
export interface Template {
  readonly parts: readonly Part[];
  readonly hasVariables: boolean;
}

const VAR_RE = /\$\{([^}]*)\}/g;
const DEFAULT_RE = /^\s*([^\s,']+)\s*,\s*'((?:[^']|'')*)'\s*$/;

export function parseTemplate(s: string, variablesOn: boolean): Template {
  if (!variablesOn || !s.includes("${")) return { parts: [{ text: s }], hasVariables: false };
  const parts: Part[] = [];
  let last = 0;
  let hasVariables = false;
  for (const m of s.matchAll(VAR_RE)) {
    const inner = m[1]!;
    let part: Part | undefined;
    if (inner === "*") part = { lit: LITERAL_STAR };
    else if (inner === "?") part = { lit: LITERAL_QMARK };
    else if (inner === "$") part = { lit: "$" };
    else {
      const d = DEFAULT_RE.exec(inner);
      if (d) part = { key: d[1]!.toLowerCase(), fallback: d[2]!.replaceAll("''", "'") };
      else if (/^[^\s,']+$/.test(inner)) part = { key: inner.toLowerCase() };
    }
    if (!part) continue; // not a variable: stays literal text
    if (m.index! > last) parts.push({ text: s.slice(last, m.index) });
    parts.push(part);
    if ("key" in part) hasVariables = true;
    last = m.index! + m[0].length;
  }
  if (last < s.length) parts.push({ text: s.slice(last) });
  return { parts, hasVariables: hasVariables || parts.some((p) => "lit" in p) };
}

/** Fills a template from the context; undefined when a variable cannot be resolved. */
export function resolveTemplate(t: Template, lookup: (key: string) => ContextValue | undefined): string | undefined {
  let out = "";
  for (const p of t.parts) {
    if ("text" in p) out += p.text;
    else if ("lit" in p) out += p.lit;
    else {
      const v = lookup(p.key);
      if (typeof v === "string") out += v;
      else if (p.fallback !== undefined) out += p.fallback;
      else return undefined;
    }
  }
  return out;
}
