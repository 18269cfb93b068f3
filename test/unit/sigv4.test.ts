import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { signSigV4, verifySigV4 } from "../../src/edge/sigv4.js";

const KEY = "AKIDEXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const lookup = (id: string) => (id === KEY ? SECRET : undefined);
/** 2015-08-30T12:36:00Z, the date of AWS's published SigV4 test suite. */
const SUITE_TIME = Date.UTC(2015, 7, 30, 12, 36, 0);

/** Turns signed headers into Node's rawHeaders (alternating names and values). */
const raw = (h: Record<string, string>) => Object.entries(h).flat();

function sign(url: string, headers: Record<string, string>, body = "", nowMs = SUITE_TIME) {
  return signSigV4({
    method: "POST",
    url,
    host: "example.amazonaws.com",
    headers,
    body,
    accessKeyId: KEY,
    secretAccessKey: SECRET,
    region: "us-east-1",
    service: "service",
    nowMs,
  });
}

describe("SigV4", () => {
  it("matches AWS's published get-vanilla test vector", () => {
    const h = signSigV4({
      method: "GET",
      url: "/",
      host: "example.amazonaws.com",
      headers: {},
      body: "",
      accessKeyId: KEY,
      secretAccessKey: SECRET,
      region: "us-east-1",
      service: "service",
      nowMs: SUITE_TIME,
    });
    assert.equal(
      h.authorization,
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, " +
        "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
  });

  it("round-trips: what signSigV4 signs, verifySigV4 accepts, and names the signer", () => {
    const body = '{"clusterName":"x"}';
    const h = sign("/", { "content-type": "application/x-amz-json-1.1", "x-amz-target": "A.B" }, body);
    const id = verifySigV4({ method: "POST", url: "/", rawHeaders: raw(h), body: Buffer.from(body) }, lookup, SUITE_TIME);
    assert.deepEqual(id, { accessKeyId: KEY, region: "us-east-1", service: "service" });
  });

  it("refuses any change to body, method, path, or a signed header", () => {
    const body = '{"a":1}';
    const h = sign("/", { "x-amz-target": "A.B" }, body);
    const base = { method: "POST", url: "/", rawHeaders: raw(h), body: Buffer.from(body) };
    const bad = (req: Partial<typeof base>) =>
      assert.throws(() => verifySigV4({ ...base, ...req }, lookup, SUITE_TIME), { code: "InvalidSignatureException" });
    bad({ body: Buffer.from('{"a":2}') });
    bad({ method: "PUT" });
    bad({ url: "/x" });
    bad({ rawHeaders: raw({ ...h, "x-amz-target": "A.C" }) });
    bad({ rawHeaders: raw({ ...h, "x-amz-content-sha256": "0".repeat(64) }) });
  });

  it("canonicalises the query string: order and encoding do not change the signature", () => {
    const h = sign("/?b=2&a=1&c=x%20y", {});
    for (const url of ["/?b=2&a=1&c=x%20y", "/?a=1&c=x%20y&b=2", "/?c=x+y&b=2&a=1"]) {
      const id = verifySigV4({ method: "POST", url, rawHeaders: raw(h), body: Buffer.alloc(0) }, lookup, SUITE_TIME);
      assert.equal(id.accessKeyId, KEY, url);
    }
    assert.throws(
      () => verifySigV4({ method: "POST", url: "/?a=1&b=3&c=x%20y", rawHeaders: raw(h), body: Buffer.alloc(0) }, lookup, SUITE_TIME),
      { code: "InvalidSignatureException" },
    );
  });

  it("folds header values: surrounding and repeated whitespace do not count", () => {
    const h = sign("/", { "x-amz-meta": "a b  c" });
    const spaced = { ...h, "x-amz-meta": "   a   b c   " };
    const id = verifySigV4({ method: "POST", url: "/", rawHeaders: raw(spaced), body: Buffer.alloc(0) }, lookup, SUITE_TIME);
    assert.equal(id.accessKeyId, KEY);
    // Header names are case-insensitive on the wire.
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    verifySigV4({ method: "POST", url: "/", rawHeaders: raw(upper), body: Buffer.alloc(0) }, lookup, SUITE_TIME);
  });

  it("answers the AWS error for each kind of bad credential", () => {
    const h = sign("/", {});
    const req = { method: "POST", url: "/", rawHeaders: raw(h), body: Buffer.alloc(0) };
    assert.throws(() => verifySigV4(req, () => undefined, SUITE_TIME), { code: "UnrecognizedClientException" });
    assert.throws(() => verifySigV4(req, () => "wrong-secret", SUITE_TIME), { code: "InvalidSignatureException" });
    assert.throws(() => verifySigV4(req, lookup, SUITE_TIME + 16 * 60_000), {
      code: "InvalidSignatureException",
      message: /Signature expired/,
    });
    assert.throws(() => verifySigV4(req, lookup, SUITE_TIME - 16 * 60_000), { code: "InvalidSignatureException" });
    // 14 minutes either way is still inside AWS's window.
    verifySigV4(req, lookup, SUITE_TIME + 14 * 60_000);
    const noAuth = raw(Object.fromEntries(Object.entries(h).filter(([k]) => k !== "authorization")));
    assert.throws(() => verifySigV4({ ...req, rawHeaders: noAuth }, lookup, SUITE_TIME), {
      code: "MissingAuthenticationTokenException",
    });
    const garbled = raw({ ...h, authorization: "AWS4-HMAC-SHA256 Credential=only" });
    assert.throws(() => verifySigV4({ ...req, rawHeaders: garbled }, lookup, SUITE_TIME), {
      code: "IncompleteSignatureException",
    });
    const unsignedHost = raw({ ...h, authorization: h.authorization!.replace("host;", "") });
    assert.throws(() => verifySigV4({ ...req, rawHeaders: unsignedHost }, lookup, SUITE_TIME), {
      code: "InvalidSignatureException",
    });
  });
});
