import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { signSigV4 } from "../edge/sigv4.js";

/**
 * How an exec session travels (docs/exec.md, docs/architecture.md "Exec sessions"). The control
 * plane cannot dial agents, so both ends dial it and it splices their connections:
 *
 * 1. `ExecuteCommand` (ECS API) creates a session for a RUNNING task of an agent that is
 *    connected, and answers `session { sessionId, streamUrl, tokenValue }`. The session is
 *    listed in the next poll answer of the task's instance (`PollResponse.execSessions`; the
 *    instance's held poll is released at once).
 * 2. The agent opens `GET /_wharf/agent/exec/<sessionId>` with `Connection: Upgrade`,
 *    `Upgrade: wharf-exec`, SigV4-signed like the poll (service `ecs`, empty body) and naming its
 *    instance in `x-wharf-container-instance`.
 * 3. `wharf exec` opens `GET <streamUrl>` (`/_wharf/exec/data-channel/<sessionId>`) the same way,
 *    with the session's token in `x-wharf-exec-token` (one use; the token is the credential, as
 *    SSM's token is for its data channel).
 * 4. When both have arrived (either first; each waits up to SESSION_JOIN_MS), both get
 *    `101 Switching Protocols` and the control plane pipes the two sockets together. From then
 *    on the bytes are src/core/exec/frames.ts frames between the CLI and the agent: the CLI's
 *    `open` first (TTY, stdin, window size), then stdin / resize / signal one way and stdout /
 *    stderr / exit the other. The agent runs the command with Docker's exec API.
 * 5. Refusals before the splice are HTTP answers `{ "__type", "message" }` (403 bad token, 404
 *    unknown or used session, 504 the other end never came).
 */
export const EXEC_UPGRADE_PROTOCOL = "wharf-exec";
/** The CLI's end: `<EXEC_CLI_PATH><sessionId>`. */
export const EXEC_CLI_PATH = "/_wharf/exec/data-channel/";
/** The agent's end: `<EXEC_AGENT_PATH><sessionId>`. */
export const EXEC_AGENT_PATH = "/_wharf/agent/exec/";
export const EXEC_TOKEN_HEADER = "x-wharf-exec-token";
export const EXEC_INSTANCE_HEADER = "x-wharf-container-instance";
/** How long one end waits for the other before the session is dropped. */
export const SESSION_JOIN_MS = 60_000;

/** A session as the poll answer hands it to the agent of the task's instance. */
export interface ExecSessionAssignment {
  sessionId: string;
  taskArn: string;
  containerName: string;
  /** The command as argv (ExecuteCommand's `command` string split by src/core/exec/command.ts). */
  command: string[];
}

export class UpgradeRefused extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "UpgradeRefused";
  }
}

/**
 * Opens an HTTP/1.1 Upgrade to `url` and resolves the raw socket once the server answers 101
 * (with any bytes that came with the answer); another answer rejects with UpgradeRefused.
 */
export function openUpgrade(url: URL, headers: Record<string, string>, protocol = EXEC_UPGRADE_PROTOCOL): Promise<{ socket: Socket; head: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      host: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port || 80,
      method: "GET",
      path: url.pathname + url.search,
      headers: { ...headers, connection: "Upgrade", upgrade: protocol },
    });
    req.once("upgrade", (_res: IncomingMessage, socket: Socket, head: Buffer) => resolve({ socket, head }));
    req.once("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed: { __type?: string; message?: string } = {};
        try {
          parsed = JSON.parse(text) as typeof parsed;
        } catch {
          /* not JSON */
        }
        reject(new UpgradeRefused(res.statusCode ?? 0, parsed.__type ?? `HTTP${res.statusCode}`, parsed.message ?? text));
      });
    });
    req.once("error", reject);
    req.end();
  });
}

/** The agent's signed headers for its end of a session (SigV4 over GET with an empty body). */
export function signedExecHeaders(
  url: URL,
  containerInstanceArn: string,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
): Record<string, string> {
  const signed = signSigV4({
    method: "GET",
    url: url.pathname + url.search,
    host: url.host,
    headers: { [EXEC_INSTANCE_HEADER]: containerInstanceArn, ...(creds.sessionToken ? { "x-amz-security-token": creds.sessionToken } : {}) },
    body: "",
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    region,
    service: "ecs",
  });
  delete signed.host;
  return signed;
}
