import { invalidParameter } from "./errors.js";

/** Opaque `nextToken`: the sort key of the last item returned, base64url-encoded. */
export const encodeToken = (sortKey: string): string => Buffer.from(JSON.stringify({ k: sortKey })).toString("base64url");

export function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { k?: unknown };
    if (typeof parsed.k === "string") return parsed.k;
  } catch {
    /* fall through */
  }
  throw invalidParameter("Invalid nextToken.");
}

/** Checks `maxResults` against ECS's range and returns the page size to use. */
export function pageSize(maxResults: number | undefined, defaultSize: number, max = 100): number {
  if (maxResults === undefined) return defaultSize;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max) {
    throw invalidParameter(`maxResults must be between 1 and ${max}.`);
  }
  return maxResults;
}

/**
 * Cuts one page out of items sorted by key; `nextToken` is present only when more remain
 * (never an empty string: botocore's paginator would loop on it).
 */
export function page<T>(items: T[], size: number, keyOf: (item: T) => string): { items: T[]; nextToken?: string } {
  if (items.length <= size) return { items };
  const out = items.slice(0, size);
  return { items: out, nextToken: encodeToken(keyOf(out[out.length - 1]!)) };
}

/**
 * The Query services' `Marker` paging (ELBv2, IAM): the items (sorted by a stable key) after the
 * marker's key, at most `size`; `next` — the last key, base64url — only when more remain. A
 * marker that does not decode is `invalid()`.
 */
export function markerPage<T>(
  items: T[],
  keyOf: (item: T) => string,
  marker: string | undefined,
  size: number,
  invalid: () => Error,
): { items: T[]; next?: string } {
  let start = 0;
  if (marker !== undefined) {
    let after: string | undefined;
    try {
      const parsed = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as { a?: unknown };
      if (typeof parsed.a === "string") after = parsed.a;
    } catch {
      /* refused below */
    }
    if (after === undefined) throw invalid();
    start = items.findIndex((x) => keyOf(x) > after!);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + size);
  return start + size < items.length
    ? { items: page, next: Buffer.from(JSON.stringify({ a: keyOf(page[page.length - 1]!) })).toString("base64url") }
    : { items: page };
}
