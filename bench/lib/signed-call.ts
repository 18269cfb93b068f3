import { type Agent, request } from "node:http";
import { signSigV4 } from "../../src/edge/sigv4.js";

/** A keep-alive connection to a server on loopback, and the credentials to sign with. */
export interface SignedConn {
  port: number;
  agent: Agent;
  accessKeyId: string;
  secretAccessKey: string;
}

/** One signed AWS JSON 1.1 call (`TARGET.op`) over `c`; resolves the parsed output, rejects non-200. */
export function signedCall(c: SignedConn, target: string, service: string, op: string, input: unknown): Promise<any> {
  const body = JSON.stringify(input);
  const headers = signSigV4({
    method: "POST",
    url: "/",
    host: `127.0.0.1:${c.port}`,
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `${target}.${op}` },
    body,
    accessKeyId: c.accessKeyId,
    secretAccessKey: c.secretAccessKey,
    region: "us-east-1",
    service,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: c.port, method: "POST", path: "/", headers: { ...headers, "content-length": Buffer.byteLength(body) }, agent: c.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${op}: ${res.statusCode} ${text.slice(0, 300)}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
