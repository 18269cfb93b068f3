import { randomBytes, timingSafeEqual, createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import {
  EXEC_AGENT_PATH,
  EXEC_CLI_PATH,
  EXEC_INSTANCE_HEADER,
  EXEC_TOKEN_HEADER,
  EXEC_UPGRADE_PROTOCOL,
  type ExecSessionAssignment,
  SESSION_JOIN_MS,
} from "../contracts/exec-stream.js";
import { AwsError } from "../core/errors.js";
import { newSessionId } from "../core/exec/rules.js";
import type { Clock } from "../core/time.js";
import type { UpgradeRoute } from "../edge/server.js";
import { type SecretLookup, verifySigV4 } from "../edge/sigv4.js";

/**
 * The control plane's side of exec sessions (src/contracts/exec-stream.ts): sessions created by
 * ExecuteCommand, listed to their instance's agent in poll answers until it joins, and the two
 * upgraded connections (the CLI's and the agent's) spliced once both have arrived. In memory
 * only: a session lives for one connection, and a control-plane restart ends it.
 */
export interface ExecSessionSpec {
  taskArn: string;
  clusterArn: string;
  containerInstanceArn: string;
  containerName: string;
  command: string[];
  callerArn: string;
}

interface Session extends ExecSessionSpec {
  sessionId: string;
  tokenHash: Buffer;
  createdAt: number;
  cli?: { socket: Duplex; head: Buffer };
  agent?: { socket: Duplex; head: Buffer };
  cliUsed: boolean;
  agentUsed: boolean;
  timer: NodeJS.Timeout;
}

export interface ExecSessionsOptions {
  clock: Clock;
  random: () => number;
  /** Root keys only, as every `/_wharf/` route (the agent's end is signed with them). */
  secrets: SecretLookup;
  /** Wakes the instance's held poll so the agent hears of the session at once. */
  wake: (containerInstanceArn: string) => void;
  /** Secret token bytes (default: crypto). */
  tokenBytes?: () => Buffer;
  log?: (line: Record<string, unknown>) => void;
}

const hash = (token: string) => createHash("sha256").update(token).digest();

export class ExecSessions {
  private readonly sessions = new Map<string, Session>();
  /** Spliced connections, ended at close (the HTTP server's close would wait for them). */
  private readonly live = new Set<Duplex>();
  private closed = false;

  constructor(private readonly o: ExecSessionsOptions) {}

  /** A new session; the token is returned once and only its hash is kept. */
  create(spec: ExecSessionSpec): { sessionId: string; tokenValue: string } {
    if (this.closed) throw new AwsError("ServerException", "The control plane is shutting down.", 500);
    let sessionId = newSessionId(this.o.random);
    while (this.sessions.has(sessionId)) sessionId = newSessionId(this.o.random);
    const tokenValue = (this.o.tokenBytes?.() ?? randomBytes(48)).toString("base64");
    const timer = setTimeout(() => this.drop(sessionId, 504, "ServerException", "The session was not joined in time."), SESSION_JOIN_MS);
    timer.unref();
    this.sessions.set(sessionId, { ...spec, sessionId, tokenHash: hash(tokenValue), createdAt: this.o.clock.now(), cliUsed: false, agentUsed: false, timer });
    this.o.wake(spec.containerInstanceArn);
    return { sessionId, tokenValue };
  }

  /** The sessions this instance's agent has not joined yet (the poll answer's `execSessions`). */
  pendingFor(containerInstanceArn: string): ExecSessionAssignment[] {
    const out: ExecSessionAssignment[] = [];
    for (const s of this.sessions.values()) {
      if (s.containerInstanceArn !== containerInstanceArn || s.agentUsed) continue;
      out.push({ sessionId: s.sessionId, taskArn: s.taskArn, containerName: s.containerName, command: s.command });
    }
    return out;
  }

  /** How many sessions are open or waiting (tests, shutdown). */
  get size(): number {
    return this.sessions.size;
  }

  /** The edge's upgrade route for both ends. */
  route(): UpgradeRoute {
    return (req, socket, head) => {
      const path = (req.url ?? "/").split("?")[0]!;
      if (path.startsWith(EXEC_CLI_PATH)) return this.joinCli(req, socket, head, path.slice(EXEC_CLI_PATH.length)), true;
      if (path.startsWith(EXEC_AGENT_PATH)) return this.joinAgent(req, socket, head, path.slice(EXEC_AGENT_PATH.length)), true;
      return false;
    };
  }

  private joinCli(req: IncomingMessage, socket: Duplex, head: Buffer, sessionId: string): void {
    const s = this.sessions.get(sessionId);
    const token = header(req, EXEC_TOKEN_HEADER);
    if (!isUpgrade(req)) return refuse(socket, 400, "InvalidParameterException", `Upgrade to ${EXEC_UPGRADE_PROTOCOL} to open a session.`);
    if (!s || s.cliUsed) return refuse(socket, 404, "InvalidParameterException", `The session ${sessionId} does not exist or was already used.`);
    const given = token ? hash(token) : Buffer.alloc(32);
    if (!token || !timingSafeEqual(given, s.tokenHash)) return refuse(socket, 403, "AccessDeniedException", "The session token is not valid for this session.");
    s.cliUsed = true;
    s.cli = { socket, head };
    this.watchWaiting(s, socket, "cli");
    this.splice(s);
  }

  private joinAgent(req: IncomingMessage, socket: Duplex, head: Buffer, sessionId: string): void {
    if (!isUpgrade(req)) return refuse(socket, 400, "InvalidParameterException", `Upgrade to ${EXEC_UPGRADE_PROTOCOL} to open a session.`);
    try {
      verifySigV4({ method: req.method ?? "GET", url: req.url ?? "/", rawHeaders: req.rawHeaders, body: Buffer.alloc(0) }, this.o.secrets, this.o.clock.now());
    } catch (err) {
      const e = err instanceof AwsError ? err : new AwsError("AccessDeniedException", String(err), 403);
      return refuse(socket, e.status === 400 ? 403 : e.status, e.code, e.message);
    }
    const s = this.sessions.get(sessionId);
    if (!s || s.agentUsed) return refuse(socket, 404, "InvalidParameterException", `The session ${sessionId} does not exist or was already used.`);
    if (header(req, EXEC_INSTANCE_HEADER) !== s.containerInstanceArn) {
      return refuse(socket, 403, "AccessDeniedException", `The session ${sessionId} is not for this container instance.`);
    }
    s.agentUsed = true;
    s.agent = { socket, head };
    this.watchWaiting(s, socket, "agent");
    this.splice(s);
  }

  /** A side that hangs up while waiting for the other ends the session. */
  private watchWaiting(s: Session, socket: Duplex, side: "cli" | "agent"): void {
    const gone = () => {
      if (this.sessions.get(s.sessionId) === s && !(s.cli && s.agent)) this.drop(s.sessionId, 410, "ServerException", `The ${side === "cli" ? "client" : "agent"} left before the session opened.`);
    };
    // The HTTP server's sockets are half-open: a peer's FIN is 'end', not 'close'.
    socket.once("end", gone);
    socket.once("close", gone);
    socket.once("error", () => undefined);
  }

  private splice(s: Session): void {
    if (!s.cli || !s.agent) return;
    clearTimeout(s.timer);
    this.sessions.delete(s.sessionId);
    const { cli, agent } = s;
    const switching = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${EXEC_UPGRADE_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`;
    cli.socket.write(switching);
    agent.socket.write(switching);
    if (cli.head.length) agent.socket.write(cli.head);
    if (agent.head.length) cli.socket.write(agent.head);
    cli.socket.pipe(agent.socket);
    agent.socket.pipe(cli.socket);
    this.live.add(cli.socket).add(agent.socket);
    const end = () => {
      cli.socket.destroy();
      agent.socket.destroy();
      this.live.delete(cli.socket);
      this.live.delete(agent.socket);
    };
    cli.socket.once("close", end);
    agent.socket.once("close", end);
    this.o.log?.({ msg: "exec session opened", sessionId: s.sessionId, taskArn: s.taskArn, container: s.containerName, caller: s.callerArn });
  }

  private drop(sessionId: string, status: number, code: string, message: string): void {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    clearTimeout(s.timer);
    this.sessions.delete(sessionId);
    if (s.cli) refuse(s.cli.socket, status, code, message);
    if (s.agent) refuse(s.agent.socket, status, code, message);
  }

  /** Ends every waiting session (server shutdown); spliced ones close with the server's connections. */
  close(): void {
    this.closed = true;
    for (const id of [...this.sessions.keys()]) this.drop(id, 503, "ServerException", "The control plane is shutting down.");
    for (const socket of this.live) socket.destroy();
    this.live.clear();
  }
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

const isUpgrade = (req: IncomingMessage) => (header(req, "upgrade") ?? "").toLowerCase() === EXEC_UPGRADE_PROTOCOL;

const STATUS_TEXT: Record<number, string> = { 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 410: "Gone", 503: "Service Unavailable", 504: "Gateway Timeout" };

/** An HTTP error answer on a socket that was never upgraded, in the API's error shape. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ __type: code, message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? "Error"}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Amzn-Errortype: ${code}\r\n\r\n${body}`,
  );
}
