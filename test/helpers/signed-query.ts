import { signSigV4 } from "../../src/edge/sigv4.js";
import type { TestWharf } from "./harness.js";

/** A form-encoded Query/EC2-protocol POST to the server's `/`, signed for `service` with its root keys. */
export async function signedQuery(h: TestWharf, service: string, body: string): Promise<{ status: number; text: string; type: string | null }> {
  const url = new URL(h.server.url);
  const headers = signSigV4({
    method: "POST",
    url: "/",
    host: url.host,
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
    accessKeyId: h.server.credentials.accessKeyId,
    secretAccessKey: h.server.credentials.secretAccessKey,
    region: "us-east-1",
    service,
  });
  const res = await fetch(h.server.url + "/", { method: "POST", headers, body });
  return { status: res.status, text: await res.text(), type: res.headers.get("content-type") };
}
