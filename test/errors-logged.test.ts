import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { signedRoute } from "../src/api/signed-route.js";
import { rootCaller } from "../src/edge/identity.js";
import { createEdge } from "../src/edge/server.js";
import { signSigV4 } from "../src/edge/sigv4.js";
import { SqliteStore } from "../src/store/sqlite.js";
import { withWriteListener } from "../src/store/observed-store.js";

/** Issue 18.4: no error is swallowed — unexpected ones are logged with the request id, and counted. */

const CREDS = { accessKeyId: "AKIDERRORSLOGGED0001", secretAccessKey: "secret-errors-logged" };

describe("no error swallowed", () => {
  it("an internal route's unexpected error is logged with the request id before the 500 goes out", async () => {
    const lines: Record<string, unknown>[] = [];
    const edge = createEdge({
      services: [],
      identities: { resolve: (id) => (id === CREDS.accessKeyId ? rootCaller(CREDS.accessKeyId, CREDS.secretAccessKey, "arn:aws:iam::000000000000:root", "000000000000") : undefined) },
      accountId: "000000000000",
      clock: { now: () => Date.now() },
      version: "test",
      log: (l) => lines.push(l),
      internal: [
        signedRoute({
          path: "/_wharf/boom",
          secrets: (id) => (id === CREDS.accessKeyId ? CREDS.secretAccessKey : undefined),
          clock: { now: () => Date.now() },
          async handle() {
            throw new TypeError("cannot read properties of undefined (reading 'x')");
          },
        }),
      ],
    });
    await new Promise<void>((r) => edge.server.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (edge.server.address() as AddressInfo).port;
      const body = "{}";
      const headers = signSigV4({
        method: "POST",
        url: "/_wharf/boom",
        host: `127.0.0.1:${port}`,
        headers: { "content-type": "application/json" },
        body,
        ...CREDS,
        region: "us-east-1",
        service: "ecs",
      });
      const res = await fetch(`http://127.0.0.1:${port}/_wharf/boom`, { method: "POST", headers, body });
      const requestId = res.headers.get("x-amzn-requestid")!;
      assert.equal(res.status, 500);
      const answer = (await res.json()) as { __type: string; message: string };
      assert.equal(answer.__type, "ServerException");
      assert.ok(answer.message.includes(requestId), answer.message);
      const logged = lines.find((l) => l.level === "error");
      assert.ok(logged, "the error was logged");
      assert.equal(logged!.requestId, requestId);
      assert.match(String(logged!.err), /cannot read properties of undefined/);
    } finally {
      await new Promise<void>((r) => edge.server.close(() => r()));
    }
  });

  it("a store write listener that throws is reported and counted; the write stands", async () => {
    const errors: unknown[] = [];
    const store = withWriteListener(
      new SqliteStore(":memory:"),
      () => {
        throw new Error("listener bug");
      },
      (err) => errors.push(err),
    );
    await store.write([{ op: "put", kind: "meta", id: "k", value: { v: 1 } }]);
    await store.write([{ op: "put", kind: "meta", id: "k2", value: { v: 2 } }]);
    assert.equal(store.listenerFailures, 2);
    assert.equal((errors[0] as Error).message, "listener bug");
    assert.deepEqual((await store.get("meta", "k"))?.value, { v: 1 });
  });
});
