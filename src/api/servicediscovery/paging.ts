import { decodeToken, encodeToken } from "../../core/pagination.js";
import { invalidInput } from "../../core/servicediscovery/errors.js";

/** Cloud Map's paging: MaxResults (1–100, default 100) and an opaque NextToken, over items sorted by key. */
export function pageOf<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, keyOf: (item: T) => string): { items: T[]; nextToken?: string } {
  let after: string | undefined;
  try {
    after = decodeToken(nextToken);
  } catch {
    throw invalidInput("The specified NextToken is not valid.");
  }
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((x) => keyOf(x) > after!);
  const size = maxResults ?? 100;
  if (rest.length <= size) return { items: rest };
  const out = rest.slice(0, size);
  return { items: out, nextToken: encodeToken(keyOf(out[out.length - 1]!)) };
}
