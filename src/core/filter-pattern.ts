import { invalidParameter } from "./errors.js";

/**
 * CloudWatch Logs filter patterns for unstructured events, as FilterLogEvents takes them:
 * - `""` or blank matches every event;
 * - `ERROR Exception`: every term must appear (case-sensitive substring match);
 * - `"connection reset"`: a quoted phrase is one term, spaces included;
 * - `?ERROR ?WARN`: at least one of the `?` terms must appear;
 * - `-DEBUG`: events containing the term are excluded;
 * - `%regex%`: a regular expression over the message.
 * JSON (`{ $.x = 1 }`) and space-delimited (`[ip, user, ...]`) patterns are refused with a clear
 * message rather than matched wrongly.
 */
export type FilterPattern =
  | { kind: "all" }
  | { kind: "terms"; all: string[]; any: string[]; none: string[] }
  | { kind: "regex"; re: RegExp };

export function parseFilterPattern(text: string | undefined): FilterPattern {
  const src = (text ?? "").trim();
  if (src === "" || src === '""') return { kind: "all" };
  if (src.startsWith("{")) {
    throw invalidParameter("JSON filter patterns ({ $.field = value }) are not supported by Wharf yet.");
  }
  if (src.startsWith("[")) {
    throw invalidParameter("Space-delimited filter patterns ([field, ...]) are not supported by Wharf yet.");
  }
  if (src.length >= 2 && src.startsWith("%") && src.endsWith("%")) {
    try {
      return { kind: "regex", re: new RegExp(src.slice(1, -1)) };
    } catch {
      throw invalidParameter(`Invalid regular expression in filter pattern: ${src}`);
    }
  }
  const out = { kind: "terms" as const, all: [] as string[], any: [] as string[], none: [] as string[] };
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) {
      i++;
      continue;
    }
    let bucket = out.all;
    if (src[i] === "?") {
      bucket = out.any;
      i++;
    } else if (src[i] === "-" && i + 1 < src.length && !/\s/.test(src[i + 1]!)) {
      bucket = out.none;
      i++;
    }
    let term = "";
    if (src[i] === '"') {
      i++;
      let closed = false;
      while (i < src.length) {
        const c = src[i]!;
        if (c === "\\" && i + 1 < src.length) {
          term += src[i + 1];
          i += 2;
          continue;
        }
        i++;
        if (c === '"') {
          closed = true;
          break;
        }
        term += c;
      }
      if (!closed) throw invalidParameter(`Invalid filter pattern: unterminated quote in ${src}`);
    } else {
      while (i < src.length && !/\s/.test(src[i]!)) term += src[i++];
    }
    if (term !== "") bucket.push(term);
  }
  if (out.all.length + out.any.length + out.none.length === 0) return { kind: "all" };
  return out;
}

/** Does `message` match the parsed pattern? */
export function matchesFilter(p: FilterPattern, message: string): boolean {
  switch (p.kind) {
    case "all":
      return true;
    case "regex":
      return p.re.test(message);
    case "terms":
      return (
        p.all.every((t) => message.includes(t)) &&
        (p.any.length === 0 || p.any.some((t) => message.includes(t))) &&
        !p.none.some((t) => message.includes(t))
      );
  }
}
