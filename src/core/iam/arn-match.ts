/**
 * Resource and ARN patterns.
 *
 * Resource / NotResource (IAM User Guide, "IAM JSON policy elements: Resource"): wildcards work
 * within the colon-separated segments; a `*` that is the last character of a segment "can expand
 * to match beyond the colon boundaries". So in the first five segments (arn, partition, service,
 * region, account) a `*` in the middle of a segment stays inside it, a trailing `*` matches on
 * across colons; the resource part (from the sixth segment on, which holds colons of its own,
 * e.g. `log-group:x:log-stream:y`) is one glob. Case-sensitive.
 *
 * ArnEquals / ArnLike ("Condition operators", ARN): "each of the six colon-delimited components
 * of the ARN is checked separately" — the sixth being the rest of the ARN.
 */
import { compileGlob, type Matcher } from "./glob.js";

const reChar = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

export function compileResource(pattern: string): Matcher {
  if (pattern === "*") return () => true;
  if (!pattern.includes("*") && !pattern.includes("?")) return compileGlob(pattern);
  const segs = pattern.split(":");
  let re = "^";
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    const inHead = i < 5;
    if (i > 0) re += ":";
    if (!inHead) {
      re += globRe(segs.slice(i).join(":"), false);
      break;
    }
    for (let j = 0; j < seg.length; j++) {
      const c = seg[j]!;
      if (c === "*") re += j === seg.length - 1 ? "[\\s\\S]*" : "[^:]*";
      else if (c === "?") re += "[^:]";
      else re += globRe(c, true);
    }
  }
  const rx = new RegExp(re + "$", "u");
  return (s) => rx.test(s);
}

function globRe(s: string, single: boolean): string {
  if (single) return reChar(s);
  let re = "";
  for (const c of s) re += c === "*" ? "[\\s\\S]*" : c === "?" ? "[\\s\\S]" : reChar(c);
  return re;
}

/** Splits an ARN into its six components (the sixth keeps its colons); undefined if not an ARN. */
export function arnParts(s: string): string[] | undefined {
  const p = s.split(":");
  if (p.length < 6 || p[0] !== "arn") return undefined;
  return [...p.slice(0, 5), p.slice(5).join(":")];
}

/** ArnEquals / ArnLike: component by component, wildcards allowed in each. */
export function compileArnLike(pattern: string): Matcher {
  const parts = arnParts(pattern);
  if (!parts) return () => false;
  const ms = parts.map((p) => compileGlob(p));
  return (s) => {
    const v = arnParts(s);
    return v !== undefined && ms.every((m, i) => m(v[i]!));
  };
}
