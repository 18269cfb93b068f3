import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { AwsError } from "../core/errors.js";

/** What a verified request proves: who signed it, for which region and service. */
export interface SignedIdentity {
  accessKeyId: string;
  region: string;
  service: string;
  sessionToken?: string;
}

/** A secret for an access key id, or undefined when the key is unknown. */
export type SecretLookup = (accessKeyId: string) => string | undefined;

export interface SignedRequest {
  method: string;
  /** Path and query exactly as they arrived on the wire (e.g. `/?Action=X`). */
  url: string;
  /** Node's `rawHeaders`: alternating names and values. */
  rawHeaders: string[];
  body: Buffer;
}

const ALGORITHM = "AWS4-HMAC-SHA256";
/** Requests older or newer than this are refused, as AWS does. */
export const CLOCK_SKEW_MS = 15 * 60 * 1000;

const missingAuth = () =>
  new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
const incompleteSignature = (msg: string) => new AwsError("IncompleteSignatureException", msg, 400);
const invalidSignature = (msg: string) => new AwsError("InvalidSignatureException", msg, 400);

/**
 * Verifies an AWS Signature Version 4 (header form) request: rebuilds the canonical request
 * and string to sign, derives the signing key from the secret and credential scope, and
 * compares signatures in constant time. Throws the AWS error a real endpoint would give.
 */
export function verifySigV4(req: SignedRequest, lookup: SecretLookup, nowMs: number): SignedIdentity {
  const headers = collectHeaders(req.rawHeaders);
  const auth = headers.get("authorization");
  if (!auth) throw missingAuth();
  if (!auth.startsWith(`${ALGORITHM} `)) {
    throw incompleteSignature(`Authorization header requires the ${ALGORITHM} algorithm.`);
  }
  const fields = parseAuthFields(auth.slice(ALGORITHM.length + 1));
  const credential = fields.get("Credential");
  const signedHeadersField = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!credential || !signedHeadersField || !signature) {
    throw incompleteSignature(
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.",
    );
  }
  const parts = credential.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request") {
    throw incompleteSignature(`Credential should be scoped to a valid region, not '${credential}'.`);
  }
  const [accessKeyId, scopeDate, region, service] = parts as [string, string, string, string];

  const amzDate = headers.get("x-amz-date") ?? "";
  const requestTime = parseAmzDate(amzDate);
  if (requestTime === undefined) {
    throw incompleteSignature("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (Math.abs(nowMs - requestTime) > CLOCK_SKEW_MS) {
    throw invalidSignature(
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(nowMs - CLOCK_SKEW_MS)} ` +
        `(${formatAmzDate(nowMs)} - 15 min.)`,
    );
  }
  if (amzDate.slice(0, 8) !== scopeDate) {
    throw invalidSignature(`Credential should be scoped to a valid date: '${scopeDate}' does not match '${amzDate.slice(0, 8)}'.`);
  }

  const secret = lookup(accessKeyId);
  if (secret === undefined) {
    throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400);
  }

  const signedHeaders = signedHeadersField.split(";");
  if (!signedHeaders.includes("host")) {
    throw invalidSignature("'Host' must be a 'SignedHeader' in the AWS Authorization.");
  }
  const canonicalRequest = buildCanonicalRequest(req, headers, signedHeaders);
  const stringToSign = stringToSignOf(amzDate, `${scopeDate}/${region}/${service}/aws4_request`, canonicalRequest);
  const expected = signingKeyHmac(secret, scopeDate, region, service, stringToSign);
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalidSignature(
      "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
    );
  }
  const sessionToken = headers.get("x-amz-security-token");
  return { accessKeyId, region, service, ...(sessionToken ? { sessionToken } : {}) };
}

/** Signs a request (used by Wharf's own clients, the agent and the benchmarks). */
export function signSigV4(opts: {
  method: string;
  url: string;
  host: string;
  headers: Record<string, string>;
  body: string | Buffer;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
  nowMs?: number;
}): Record<string, string> {
  const amzDate = formatAmzDate(opts.nowMs ?? Date.now());
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...opts.headers, host: opts.host, "x-amz-date": amzDate };
  const names = Object.keys(headers).map((n) => n.toLowerCase()).sort();
  const raw: string[] = [];
  for (const [k, v] of Object.entries(headers)) raw.push(k, v);
  const body = typeof opts.body === "string" ? Buffer.from(opts.body) : opts.body;
  const canonical = buildCanonicalRequest(
    { method: opts.method, url: opts.url, rawHeaders: raw, body },
    collectHeaders(raw),
    names,
  );
  const scope = `${date}/${opts.region}/${opts.service}/aws4_request`;
  const sig = signatureOf(opts.secretAccessKey, date, opts.region, opts.service, stringToSignOf(amzDate, scope, canonical));
  return {
    ...headers,
    authorization: `${ALGORITHM} Credential=${opts.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${sig}`,
  };
}

/**
 * The canonical request of `req` over the named signed headers (lower-case, in signing order),
 * exactly as verification builds it. Exposed so AWS's published test vectors can be checked
 * stage by stage.
 */
export function canonicalRequestOf(req: SignedRequest, signedHeaders: string[]): string {
  return buildCanonicalRequest(req, collectHeaders(req.rawHeaders), signedHeaders);
}

/** The string to sign for a canonical request under `scope` (`date/region/service/aws4_request`). */
export function stringToSignOf(amzDate: string, scope: string, canonicalRequest: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
}

/** The hex signature of a string to sign, from the secret and the scope's date, region and service. */
export function signatureOf(secret: string, date: string, region: string, service: string, stringToSign: string): string {
  return signingKeyHmac(secret, date, region, service, stringToSign).toString("hex");
}

function buildCanonicalRequest(req: SignedRequest, headers: Map<string, string>, signed: string[]): string {
  const q = req.url.indexOf("?");
  const path = q >= 0 ? req.url.slice(0, q) : req.url;
  const query = q >= 0 ? req.url.slice(q + 1) : "";
  const canonicalHeaders = signed.map((h) => `${h}:${headers.get(h) ?? ""}\n`).join("");
  const bodyHash = sha256Hex(req.body);
  const claimed = headers.get("x-amz-content-sha256");
  // A claimed payload hash is signed, but the body itself must match it, or anyone on the
  // path could swap the body under a valid signature.
  if (claimed !== undefined && claimed !== bodyHash) {
    throw invalidSignature("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const payloadHash = bodyHash;
  return [
    req.method,
    canonicalPath(path),
    canonicalQuery(query),
    canonicalHeaders,
    signed.join(";"),
    payloadHash,
  ].join("\n");
}

/**
 * The canonical path of every AWS service but S3: empty and `.` segments dropped, `..` removing
 * the segment before it, the leading and trailing slash kept, then each segment URI-encoded again
 * (the path arrives encoded once, so it is signed double-encoded), as the SDKs' signer does.
 */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") segments.pop();
    else segments.push(seg);
  }
  const joined = `${path.startsWith("/") ? "/" : ""}${segments.join("/")}${segments.length > 0 && path.endsWith("/") ? "/" : ""}`;
  return rfc3986(joined).replace(/%2F/g, "/") || "/";
}

function canonicalQuery(query: string): string {
  if (!query) return "";
  const pairs = query
    .split("&")
    .filter((p) => p.length > 0)
    .map((p) => {
      const i = p.indexOf("=");
      const k = i >= 0 ? p.slice(0, i) : p;
      const v = i >= 0 ? p.slice(i + 1) : "";
      return [rfc3986(safeDecode(k)), rfc3986(safeDecode(v))] as const;
    });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Lower-cased header names; repeated headers joined with commas; values trimmed and folded. */
function collectHeaders(raw: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!.trim().replace(/\s+/g, " ");
    const prev = out.get(name);
    out.set(name, prev === undefined ? value : `${prev},${value}`);
  }
  return out;
}

function parseAuthFields(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(",")) {
    const i = part.indexOf("=");
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

const keyCache = new Map<string, Buffer>();

function signingKeyHmac(secret: string, date: string, region: string, service: string, data: string): Buffer {
  const cacheKey = `${secret}\0${date}\0${region}\0${service}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    const kDate = hmac(`AWS4${secret}`, date);
    key = hmac(hmac(hmac(kDate, region), service), "aws4_request");
    if (keyCache.size > 1000) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return hmac(key, data);
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
