import { request, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { DockerApiError, DockerUnavailable } from "./errors.js";
import { call, DOCKER_API_VERSION, describeEndpoint, type DockerEndpoint, readAll } from "./transport.js";

/**
 * Docker's exec API (what `docker exec` uses): create an exec instance in a running container,
 * start it with the connection hijacked (the socket then carries stdin one way and the output the
 * other: raw with a TTY, else in Docker's multiplexed frames), resize its TTY, inspect it for
 * its process id and exit code.
 */
export interface ExecCreate {
  Cmd: string[];
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  Env?: string[];
  User?: string;
  WorkingDir?: string;
}

export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  Pid: number;
}

const q = encodeURIComponent;

export async function createExec(ep: DockerEndpoint, containerId: string, body: ExecCreate): Promise<string> {
  const out = await call<{ Id: string }>(ep, { method: "POST", path: `/containers/${q(containerId)}/exec`, body });
  return out.Id;
}

export function inspectExec(ep: DockerEndpoint, execId: string): Promise<ExecInspect> {
  return call<ExecInspect>(ep, { method: "GET", path: `/exec/${q(execId)}/json` });
}

export async function resizeExec(ep: DockerEndpoint, execId: string, cols: number, rows: number): Promise<void> {
  await call(ep, { method: "POST", path: `/exec/${q(execId)}/resize?h=${rows}&w=${cols}` });
}

/**
 * POST /exec/{id}/start with `Upgrade: tcp`: resolves the hijacked socket once Docker answers
 * 101 (or 200, which older Engines send before streaming on the same connection).
 */
export function startExecHijacked(ep: DockerEndpoint, execId: string, tty: boolean): Promise<{ socket: Socket; head: Buffer }> {
  const payload = Buffer.from(JSON.stringify({ Detach: false, Tty: tty }));
  return new Promise((resolve, reject) => {
    const r = request({
      ...("socketPath" in ep ? { socketPath: ep.socketPath } : { host: ep.host, port: ep.port }),
      method: "POST",
      path: `/v${DOCKER_API_VERSION}/exec/${q(execId)}/start`,
      headers: { host: "docker", "content-type": "application/json", "content-length": String(payload.length), connection: "Upgrade", upgrade: "tcp" },
    });
    r.once("upgrade", (_res: IncomingMessage, socket: Socket, head: Buffer) => resolve({ socket, head }));
    r.once("response", (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve({ socket: res.socket as Socket, head: Buffer.alloc(0) });
      readAll(res).then(
        (buf) => reject(new DockerApiError(status, messageOf(buf, status))),
        (err: Error) => reject(err),
      );
    });
    r.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" || err.code === "ECONNREFUSED" ? new DockerUnavailable(describeEndpoint(ep), err.code) : err));
    r.end(payload);
  });
}

function messageOf(buf: Buffer, status: number): string {
  try {
    return (JSON.parse(buf.toString("utf8")) as { message?: string }).message ?? `HTTP ${status}`;
  } catch {
    return buf.toString("utf8").trim() || `HTTP ${status}`;
  }
}
