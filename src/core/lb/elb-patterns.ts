/**
 * ELB's rule patterns as regular expressions HAProxy can match (PCRE): path-pattern, host-header,
 * http-header and query-string values use `*` (any run of characters) and `?` (exactly one);
 * everything else is literal. Every character that is not a letter or digit is written as `\xHH`
 * so the expression survives HAProxy's config quoting and means only itself.
 */

function hexEscape(ch: string): string {
  const code = ch.codePointAt(0)!;
  if (code > 0xff) {
    // Non-Latin-1: match its UTF-8 bytes one by one (HAProxy matches bytes).
    return [...Buffer.from(ch, "utf8")].map((b) => `\\x${b.toString(16).padStart(2, "0")}`).join("");
  }
  return `\\x${code.toString(16).padStart(2, "0")}`;
}

/** The body of a regex for an ELB glob: `*` → `any`, `?` → `one`, the rest literal. */
export function globToRegexBody(glob: string, any = ".*", one = "."): string {
  let out = "";
  for (const ch of glob) {
    if (ch === "*") out += any;
    else if (ch === "?") out += one;
    else if (/^[A-Za-z0-9]$/.test(ch)) out += ch;
    else out += hexEscape(ch);
  }
  return out;
}

/** path-pattern: the whole path (no query string), case-sensitive. */
export function pathPatternRegex(glob: string): string {
  return `^${globToRegexBody(glob)}$`;
}

/** host-header: the Host header without its port (matched case-insensitively by the caller). */
export function hostPatternRegex(glob: string): string {
  return `^${globToRegexBody(glob)}(:[0-9]+)?$`;
}

/** http-header: the whole header value (case-insensitive by the caller). */
export function headerPatternRegex(glob: string): string {
  return `^${globToRegexBody(glob)}$`;
}

/**
 * query-string: one `key=value` pair of the raw query string; without a key, any parameter's
 * value. Wildcards stay inside one parameter (`*` never crosses `&`).
 */
export function queryPatternRegex(pair: { key?: string; value: string }): string {
  const value = globToRegexBody(pair.value, "[^&]*", "[^&]");
  const key = pair.key === undefined ? "[^&=]*" : globToRegexBody(pair.key, "[^&=]*", "[^&=]");
  return `(^|&)${key}=${value}(&|$)`;
}
