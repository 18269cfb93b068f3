/** Every item of a paged list call: `page(token)` answers its items and the next token. */
export async function allPages<T>(page: (token: string | undefined) => Promise<{ items: T[] | undefined; next: string | undefined }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const p = await page(token);
    out.push(...(p.items ?? []));
    token = p.next;
  } while (token);
  return out;
}

/** A policy document as IAM answers it (URL-encoded JSON), pretty-printed. */
export function policyText(doc: string | undefined): string {
  if (!doc) return "-";
  let text = doc;
  try {
    text = decodeURIComponent(doc);
  } catch {
    // not encoded
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
