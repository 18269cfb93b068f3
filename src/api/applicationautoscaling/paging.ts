import { invalidNextToken } from "../../core/autoscaling/errors.js";
import { decodeToken, encodeToken } from "../../core/pagination.js";

/** Application Auto Scaling's paging: MaxResults (1–50 by the model, default 50) and an opaque NextToken, over items in a stable order. */
export function pageOf<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined, keyOf: (item: T) => string): { items: T[]; NextToken?: string } {
  let after: string | undefined;
  try {
    after = decodeToken(nextToken);
  } catch {
    throw invalidNextToken();
  }
  const rest = after === undefined ? items : items.slice(items.findIndex((x) => keyOf(x) === after) + 1 || items.length);
  if (after !== undefined && !items.some((x) => keyOf(x) === after)) throw invalidNextToken();
  const size = maxResults ?? 50;
  if (rest.length <= size) return { items: rest };
  const out = rest.slice(0, size);
  return { items: out, NextToken: encodeToken(keyOf(out[out.length - 1]!)) };
}
