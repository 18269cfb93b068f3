import { SignatureV4 } from "@smithy/signature-v4";
import fc from "fast-check";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { CLOCK_SKEW_MS, verifySigV4 } from "../../src/edge/sigv4.js";

/**
 * Issue 18.3: Wharf's SigV4 verifier against the SDK's own signer (`@smithy/signature-v4`, what
 * every @aws-sdk client uses) over generated requests — odd paths, repeated and empty query keys,
 * unicode, long and repeated headers, empty and binary bodies — plus a mutation test (any single
 * changed byte of a signed request is refused) and the exact ±15 minute window.
 */

const CREDS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const lookup = (id: string) => (id === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined);
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

/** The SDK's hash constructor contract, on node:crypto. */
class Sha256 {
  private readonly h;
  constructor(secret?: string | Uint8Array) {
    this.h = secret === undefined ? createHash("sha256") : createHmac("sha256", secret);
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

const signer = (service: string, region: string) =>
  new SignatureV4({ credentials: CREDS, region, service, sha256: Sha256 as never, uriEscapePath: true, applyChecksum: false });

/** How the SDK puts a path segment and query parts on the wire (extended encodeURIComponent). */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

interface Generated {
  method: string;
  segments: string[];
  query: [string, string[]][];
  headers: [string, string][];
  body: Uint8Array;
  service: string;
  region: string;
}

const text = fc.string({ unit: fc.oneof(fc.constantFrom("a", "Z", "0", "-", "_", ".", "~", " ", "/", "+", "=", "&", "%", "é", "😀", "*", "'"), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 12 });
const headerValue = fc.string({ unit: fc.constantFrom("a", "b", " ", "\t", "-", ",", ";", "=", "1"), maxLength: 300 });
const generated: fc.Arbitrary<Generated> = fc.record({
  method: fc.constantFrom("POST", "GET", "PUT", "DELETE"),
  segments: fc.array(fc.oneof(text, fc.constantFrom("", ".", "..", "a b", "%41")), { maxLength: 4 }),
  // (`__proto__` is left out: the SDK's signer builds its canonical query in a plain object, which drops that key.)
  query: fc.uniqueArray(fc.tuple(text.filter((k) => k !== "__proto__"), fc.array(text, { minLength: 1, maxLength: 3 })), { maxLength: 4, selector: (q) => q[0] }),
  headers: fc.uniqueArray(
    fc.tuple(fc.stringMatching(/^x-amz-meta-[a-z0-9]{1,8}$/), headerValue),
    { maxLength: 3, selector: (h) => h[0] },
  ),
  body: fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ maxLength: 2048 }), fc.string().map((s) => new TextEncoder().encode(s))),
  service: fc.constantFrom("ecs", "logs", "elasticloadbalancing", "iam", "ec2"),
  region: fc.constantFrom("us-east-1", "eu-west-1", "cn-north-1"),
});

/** Signs with the SDK's signer; returns the request as Wharf's edge receives it. */
async function signed(g: Generated, signingDate = new Date(NOW)) {
  const path = `/${g.segments.map(escape).join("/")}`;
  const query: Record<string, string | string[]> = Object.fromEntries(g.query.map(([k, vs]) => [k, vs.length === 1 ? vs[0]! : vs]));
  const headers: Record<string, string> = { host: "127.0.0.1:4700", "content-type": "application/x-amz-json-1.1", ...Object.fromEntries(g.headers) };
  const out = await signer(g.service, g.region).sign(
    { method: g.method, protocol: "http:", hostname: "127.0.0.1", port: 4700, path, query, headers, body: g.body } as never,
    { signingDate },
  );
  const o = out as unknown as { headers: Record<string, string> };
  // The SDK's wire form of the query: each key, each value, escaped; repeated keys repeated.
  const qs = g.query.flatMap(([k, vs]) => vs.map((v) => `${escape(k)}=${escape(v)}`)).join("&");
  const rawHeaders = Object.entries(o.headers).flatMap(([k, v]) => [k, v]);
  return { method: g.method, url: qs ? `${path}?${qs}` : path, rawHeaders, body: Buffer.from(g.body) as Buffer };
}

describe("SigV4: Wharf's verifier agrees with the SDK's signer", () => {
  it("accepts every request the SDK signs (generated paths, queries, headers, bodies, services, Regions)", async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const req = await signed(g);
        const id = verifySigV4(req, lookup, NOW);
        assert.equal(id.accessKeyId, CREDS.accessKeyId);
        assert.equal(id.service, g.service);
        assert.equal(id.region, g.region);
      }),
      { numRuns: 400 },
    );
  });

  it("refuses the request when any single byte of method, path, query, a signed header or the body changes", async () => {
    await fc.assert(
      fc.asyncProperty(generated, fc.nat(), fc.integer({ min: 1, max: 255 }), async (g, where, flip) => {
        const req = await signed(g);
        // Every byte that is signed: method, URL, signed header values, body.
        const signedNames = /SignedHeaders=([^,]+)/.exec(req.rawHeaders[req.rawHeaders.findIndex((h) => h.toLowerCase() === "authorization") + 1]!)![1]!.split(";");
        const parts: { get(): string | Buffer; set(v: string | Buffer): void }[] = [
          { get: () => req.method, set: (v) => (req.method = String(v)) },
          { get: () => req.url, set: (v) => (req.url = String(v)) },
          { get: () => req.body, set: (v) => (req.body = v as Buffer) },
        ];
        for (let i = 0; i < req.rawHeaders.length; i += 2) {
          if (signedNames.includes(req.rawHeaders[i]!.toLowerCase()) && req.rawHeaders[i]!.toLowerCase() !== "x-amz-content-sha256") {
            const at = i + 1;
            parts.push({ get: () => req.rawHeaders[at]!, set: (v) => (req.rawHeaders[at] = String(v)) });
          }
        }
        const sizes = parts.map((p) => Buffer.from(p.get()).length);
        const total = sizes.reduce((a, b) => a + b, 0);
        fc.pre(total > 0);
        let n = where % total;
        const k = sizes.findIndex((s) => (n < s ? true : ((n -= s), false)));
        const bytes = Buffer.from(parts[k]!.get());
        bytes[n] = bytes[n]! ^ flip;
        const changed = k === 2 ? bytes : bytes.toString("latin1");
        const before = parts[k]!.get();
        // An HTTP request target always starts with "/"; a URL without it is not a request.
        fc.pre(k !== 1 || String(changed).startsWith("/"));
        // Dot segments are removed before signing (`/a/..` is `/`): a change the SDK's own
        // canonical path does not see is the same request, not a forgery.
        // Header values are signed trimmed, with runs of whitespace folded to one space.
        const fold = (v: string) => v.trim().replace(/\s+/g, " ");
        if (k > 2 && fold(String(before)) === fold(String(changed))) return;
        if (k === 1) {
          const canon = (path: string) => (signer(g.service, g.region) as unknown as { getCanonicalPath(r: { path: string }): string }).getCanonicalPath({ path });
          const split = (u: string) => [u.split("?")[0]!, u.slice(u.split("?")[0]!.length)] as const;
          const [p0, q0] = split(String(before));
          const [p1, q1] = split(String(changed));
          if (q0 === q1 && canon(p0) === canon(p1)) return;
        }
        parts[k]!.set(changed);
        // A change that decodes to the same canonical form (e.g. a header's trailing space, a
        // percent-escape's case) is the same request; every other change must be refused.
        if (k !== 2 && String(before).replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase()) === String(changed).replace(/%[0-9a-f]{2}/gi, (m) => m.toUpperCase())) return;
        assert.throws(() => verifySigV4(req, lookup, NOW), (e: Error) => /Signature|signature|Credential|X-Amz-Date|Host/.test(e.message) || e.name !== "Error");
      }),
      { numRuns: 400 },
    );
  });

  it("the clock window is exactly ±15 minutes", async () => {
    const g: Generated = { method: "POST", segments: [], query: [], headers: [], body: new TextEncoder().encode("{}"), service: "ecs", region: "us-east-1" };
    const req = await signed(g, new Date(NOW));
    assert.doesNotThrow(() => verifySigV4(req, lookup, NOW + CLOCK_SKEW_MS));
    assert.doesNotThrow(() => verifySigV4(req, lookup, NOW - CLOCK_SKEW_MS));
    for (const at of [NOW + CLOCK_SKEW_MS + 1000, NOW - CLOCK_SKEW_MS - 1000]) {
      assert.throws(() => verifySigV4(req, lookup, at), { name: "InvalidSignatureException", message: /^Signature expired: 20261203T120000Z is now earlier than/ });
    }
  });
});
