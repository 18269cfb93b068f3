/**
 * IAM's wildcard patterns: `*` matches any run of characters (none included), `?` exactly one.
 * Used by Action (case-insensitive), Resource and the ARN segments (case-sensitive), and
 * StringLike/ArnLike. A pattern is compiled once into a matcher; patterns without a wildcard
 * become a plain string comparison.
 *
 * Literal `*`, `?` and `$` come from the policy variables `${*}`, `${?}` and `${$}`; they reach the
 * compiler as {@link LITERAL_STAR} and {@link LITERAL_QMARK}, private-use characters no ARN or
 * action holds, so they are matched as themselves.
 */
export type Matcher = (s: string) => boolean;

export const LITERAL_STAR = "\uE000";
export const LITERAL_QMARK = "\uE001";

const escapeRe = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Compiles an IAM wildcard pattern. `ignoreCase` for Action names and the IgnoreCase operators. */
export function compileGlob(pattern: string, ignoreCase = false): Matcher {
  const hasWild = pattern.includes("*") || pattern.includes("?");
  const literal = pattern.replaceAll(LITERAL_STAR, "*").replaceAll(LITERAL_QMARK, "?");
  if (!hasWild) {
    if (!ignoreCase) return (s) => s === literal;
    const lower = literal.toLowerCase();
    return (s) => s.length === lower.length && s.toLowerCase() === lower;
  }
  if (pattern === "*") return () => true;
  let re = "^";
  for (const c of pattern) {
    if (c === "*") re += "[\\s\\S]*";
    else if (c === "?") re += "[\\s\\S]";
    else if (c === LITERAL_STAR) re += "\\*";
    else if (c === LITERAL_QMARK) re += "\\?";
    else re += escapeRe(c);
  }
  const rx = new RegExp(re + "$", ignoreCase ? "iu" : "u");
  return (s) => rx.test(s);
}
