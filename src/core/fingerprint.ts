import { createHash } from "node:crypto";

/**
 * A stable fingerprint of a request for clientToken idempotency: keys sorted at every depth,
 * `clientToken` itself left out, so the same input always gives the same hash.
 */
export function requestFingerprint(input: object): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v as object)
              .filter((k) => k !== "clientToken")
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash("sha256").update(JSON.stringify(canon(input))).digest("hex");
}
