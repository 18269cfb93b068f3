import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * ECR authorization tokens: what GetAuthorizationToken hands out (base64 of `AWS:<token>`) and
 * what the registry's front checks on every `docker login` / pull / push. Stateless: the token
 * carries who and where (account, Region, principal) and when it expires, sealed with an
 * HMAC-SHA256 under the server's key, so a restart (same key file) keeps tokens valid.
 */

export interface TokenClaims {
  accountId: string;
  region: string;
  principalArn: string;
  /** The access key that signed GetAuthorizationToken: registry requests are authorized as its principal. */
  accessKeyId?: string;
  /** Epoch milliseconds. */
  expiresAtMs: number;
}

/** ECR's tokens last 12 hours. */
export const TOKEN_LIFETIME_MS = 12 * 3600 * 1000;

const PREFIX = "wharf1.";

const mac = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest();

export function mintToken(key: Buffer, claims: TokenClaims): string {
  const payload = Buffer.from(JSON.stringify({ a: claims.accountId, r: claims.region, p: claims.principalArn, e: claims.expiresAtMs, ...(claims.accessKeyId ? { k: claims.accessKeyId } : {}) })).toString("base64url");
  return `${PREFIX}${payload}.${mac(key, payload).toString("base64url")}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: "invalid" | "expired" };

export function checkToken(key: Buffer, token: string, nowMs: number): TokenCheck {
  if (!token.startsWith(PREFIX)) return { ok: false, reason: "invalid" };
  const [payload, sig] = token.slice(PREFIX.length).split(".");
  if (!payload || !sig) return { ok: false, reason: "invalid" };
  const want = mac(key, payload);
  const got = Buffer.from(sig, "base64url");
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: "invalid" };
  let c: { a?: unknown; r?: unknown; p?: unknown; e?: unknown; k?: unknown };
  try {
    c = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof c;
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (typeof c.a !== "string" || typeof c.r !== "string" || typeof c.p !== "string" || typeof c.e !== "number") return { ok: false, reason: "invalid" };
  if (nowMs >= c.e) return { ok: false, reason: "expired" };
  return { ok: true, claims: { accountId: c.a, region: c.r, principalArn: c.p, expiresAtMs: c.e, ...(typeof c.k === "string" ? { accessKeyId: c.k } : {}) } };
}

/** `Authorization: Basic base64(AWS:<token>)` → the token; undefined for anything else. */
export function basicToken(header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0 || text.slice(0, colon) !== "AWS") return undefined;
  return text.slice(colon + 1);
}
