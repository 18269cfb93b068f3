import { AwsError } from "../../core/errors.js";
import { idsWithMaxResults } from "./errors.js";

/**
 * EC2's MaxResults / NextToken: the items (already filtered, sorted by id) after the token's id,
 * at most MaxResults of them; NextToken only when more remain. The model bounds MaxResults.
 */
export function ec2Page<T>(
  items: T[],
  idOf: (item: T) => string,
  input: { MaxResults?: number; NextToken?: string },
  idsParam?: { name: string; given: boolean },
): { items: T[]; NextToken?: string } {
  if (idsParam?.given && input.MaxResults !== undefined) throw idsWithMaxResults(idsParam.name);
  let start = 0;
  if (input.NextToken !== undefined) {
    let after: string | undefined;
    try {
      const parsed = JSON.parse(Buffer.from(input.NextToken, "base64url").toString("utf8")) as { a?: unknown };
      if (typeof parsed.a === "string") after = parsed.a;
    } catch {
      /* refused below */
    }
    if (after === undefined) throw new AwsError("InvalidNextToken", `The token '${input.NextToken}' is invalid`);
    start = items.findIndex((x) => idOf(x) > after!);
    if (start < 0) start = items.length;
  }
  const size = input.MaxResults ?? Number.MAX_SAFE_INTEGER;
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return more ? { items: page, NextToken: Buffer.from(JSON.stringify({ a: idOf(page[page.length - 1]!) })).toString("base64url") } : { items: page };
}
