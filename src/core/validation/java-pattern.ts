/**
 * The models' `pattern`s are Java regular expressions that the whole value must match (Java's
 * `Matcher.matches()`): `[\.\-_/#A-Za-z0-9]+` rejects "a b" although it contains "a". This turns
 * one into a JavaScript RegExp with the same meaning, once per pattern.
 *
 * Java's Unicode classes (`\p{L}`, `\p{Z}`, `\p{N}`) need the `u` flag; a few model patterns are
 * not valid in `u` mode (`[\w-_]`, a class range ending in a class escape, which Java reads as a
 * literal `-`) and compile without it, where JavaScript's legacy syntax reads them as Java does.
 */

const cache = new Map<string, RegExp | null>();

/** Java's POSIX classes (US-ASCII only, as Java reads them by default) that JavaScript lacks. */
const POSIX: Record<string, string> = {
  Print: "\\x20-\\x7E",
  Graph: "\\x21-\\x7E",
  Alnum: "A-Za-z0-9",
  Alpha: "A-Za-z",
  Digit: "0-9",
  Upper: "A-Z",
  Lower: "a-z",
  Space: " \\t\\n\\x0B\\f\\r",
};

/** `\p{Print}` and its kin → their ASCII ranges (bare, a class of their own; inside a class, the ranges). */
function posixClasses(pattern: string): string {
  if (!/\\p\{(Print|Graph|Alnum|Alpha|Digit|Upper|Lower|Space)\}/.test(pattern)) return pattern;
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const m = /^\\p\{(\w+)\}/.exec(pattern.slice(i));
      const ranges = m ? POSIX[m[1]!] : undefined;
      if (m && ranges) {
        out += depth > 0 ? ranges : `[${ranges}]`;
        i += m[0].length - 1;
      } else {
        out += c + (pattern[i + 1] ?? "");
        i++;
      }
      continue;
    }
    if (c === "[") depth++;
    else if (c === "]" && depth > 0) depth--;
    out += c;
  }
  return out;
}

/** The full-match RegExp for a model pattern; null if JavaScript cannot express it. */
export function compileJavaPattern(pattern: string): RegExp | null {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  re = null;
  const source = posixClasses(pattern);
  for (const flags of ["u", ""]) {
    try {
      re = new RegExp(`^(?:${source})$`, flags);
      break;
    } catch {
      /* try the next flag set */
    }
  }
  cache.set(pattern, re);
  return re;
}

/** Whether `value` matches the whole pattern (a pattern JavaScript cannot compile never rejects). */
export function matchesJavaPattern(pattern: string, value: string): boolean {
  const re = compileJavaPattern(pattern);
  return re === null || re.test(value);
}

/** Smithy/Coral lengths count Unicode code points, not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
