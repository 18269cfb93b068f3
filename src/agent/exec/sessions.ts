import type { Socket } from "node:net";
import {
  EXEC_AGENT_PATH,
  type ExecSessionAssignment,
  openUpgrade,
  signedExecHeaders,
} from "../../contracts/exec-stream.js";
import type { ApiCredentials } from "../../contracts/wharf-client.js";
import {
  DockerStreamDemux,
  encodeFrames,
  encodeFrame,
  encodeJsonFrame,
  FRAME,
  type Frame,
  FrameDecoder,
  isForwardedSignal,
  type OpenFrame,
  parseOpenFrame,
  parseResize,
} from "../../core/exec/frames.js";
import { createExec, inspectExec, resizeExec, startExecHijacked } from "../docker/exec.js";
import type { DockerEndpoint } from "../docker/transport.js";

/**
 * The agent's end of exec sessions (src/contracts/exec-stream.ts): for each session a poll
 * answer lists, it dials the control plane, waits for the CLI's `open` frame, runs the command
 * in the task's container with Docker's exec API (a TTY and stdin when asked), and relays
 * frames both ways until the command exits; then it sends the exit code and hangs up. Signals
 * from the CLI are sent to the exec'd process (its host pid, from the exec's inspect).
 */
export interface ExecSessionsOptions {
  endpoint: string;
  credentials: ApiCredentials;
  region: string;
  containerInstanceArn: string;
  docker: DockerEndpoint;
  /** The Docker id of a RUNNING container of a task this agent runs, else undefined. */
  containerIdOf(taskArn: string, containerName: string): string | undefined;
  /** Sends a signal to a host process (default process.kill). */
  kill?: (pid: number, signal: NodeJS.Signals) => void;
  log: (line: Record<string, unknown>) => void;
}

export class AgentExecSessions {
  private readonly seen = new Set<string>();
  private readonly live = new Set<Socket>();
  private closed = false;

  constructor(private readonly o: ExecSessionsOptions) {}

  /** The poll answer's `execSessions`: starts the ones not seen before. */
  update(list: ExecSessionAssignment[] | undefined): void {
    if (this.closed) return;
    const listed = new Set<string>();
    for (const s of list ?? []) {
      listed.add(s.sessionId);
      if (this.seen.has(s.sessionId)) continue;
      this.seen.add(s.sessionId);
      void this.run(s).catch((err: Error) => this.o.log({ level: "warn", msg: "exec session failed", sessionId: s.sessionId, error: err.message }));
    }
    // A session leaves the list once joined (or dropped) and never comes back: forget it.
    for (const id of this.seen) if (!listed.has(id)) this.seen.delete(id);
  }

  close(): void {
    this.closed = true;
    for (const s of this.live) s.destroy();
    this.live.clear();
  }

  private track(socket: Socket): void {
    this.live.add(socket);
    socket.once("close", () => this.live.delete(socket));
  }

  private async run(s: ExecSessionAssignment): Promise<void> {
    const url = new URL(`${EXEC_AGENT_PATH}${s.sessionId}`, this.o.endpoint);
    const { socket: wire, head } = await openUpgrade(url, signedExecHeaders(url, this.o.containerInstanceArn, this.o.credentials, this.o.region));
    this.track(wire);
    wire.on("error", () => wire.destroy());
    const decoder = new FrameDecoder();
    const queued: Frame[] = [];
    let onFrame: ((f: Frame) => void) | undefined;
    const feed = (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        this.o.log({ level: "warn", msg: "exec session: bad frame from the client", sessionId: s.sessionId, error: (err as Error).message });
        return void wire.destroy();
      }
      for (const f of frames) (onFrame ? onFrame(f) : queued.push(f));
    };
    const opened = new Promise<OpenFrame | undefined>((resolve) => {
      onFrame = (f) => {
        onFrame = undefined;
        resolve(f.type === FRAME.open ? parseOpenFrame(f.payload) : undefined);
      };
      wire.once("close", () => resolve(undefined));
    });
    wire.on("data", feed);
    if (head.length) feed(head);
    const open = await opened;
    if (!open) return void wire.destroy();
    const fail = (message: string) => {
      wire.end(encodeFrame(FRAME.error, message));
    };
    const containerId = this.o.containerIdOf(s.taskArn, s.containerName);
    if (!containerId) return fail(`The container ${s.containerName} of task ${s.taskArn} is not running on this instance.`);
    let execId: string;
    let docker: Socket;
    let dockerHead: Buffer;
    try {
      execId = await createExec(this.o.docker, containerId, {
        Cmd: s.command,
        Tty: open.tty,
        AttachStdin: open.stdin,
        AttachStdout: true,
        AttachStderr: true,
      });
      ({ socket: docker, head: dockerHead } = await startExecHijacked(this.o.docker, execId, open.tty));
    } catch (err) {
      return fail(`The command could not be run: ${(err as Error).message}`);
    }
    this.track(docker);
    this.o.log({ msg: "exec session started", sessionId: s.sessionId, taskArn: s.taskArn, container: s.containerName, tty: open.tty });
    const ep = this.o.docker;
    if (open.tty && open.cols && open.rows) await resizeExec(ep, execId, open.cols, open.rows).catch(() => undefined);
    let pid: number | undefined;
    const pidOf = async () => (pid ??= (await inspectExec(ep, execId)).Pid || undefined);
    const kill = this.o.kill ?? ((p: number, sig: NodeJS.Signals) => process.kill(p, sig));
    const signal = async (name: NodeJS.Signals) => {
      const p = await pidOf().catch(() => undefined);
      if (!p) return;
      try {
        kill(p, name);
      } catch (err) {
        this.o.log({ level: "warn", msg: "exec session: the signal could not be sent", sessionId: s.sessionId, signal: name, error: (err as Error).message });
      }
    };

    // Output: raw with a TTY, else Docker's multiplexed frames.
    const demux = open.tty ? undefined : new DockerStreamDemux();
    const out = (chunk: Buffer) => {
      if (wire.destroyed) return;
      if (!demux) for (const f of encodeFrames(FRAME.stdout, chunk)) wire.write(f);
      else for (const part of demux.push(chunk)) for (const f of encodeFrames(part.stream === "stderr" ? FRAME.stderr : FRAME.stdout, part.data)) wire.write(f);
    };
    if (dockerHead.length) out(dockerHead);
    docker.on("data", out);
    docker.on("error", () => docker.destroy());

    // Input: the frames that came with or after `open`.
    onFrame = (f) => {
      switch (f.type) {
        case FRAME.stdin:
          if (open.stdin && docker.writable) docker.write(f.payload);
          break;
        case FRAME.stdinEnd:
          if (open.stdin && docker.writable) docker.end();
          break;
        case FRAME.resize: {
          const size = parseResize(f.payload);
          if (size && open.tty) void resizeExec(ep, execId, size.cols, size.rows).catch(() => undefined);
          break;
        }
        case FRAME.signal: {
          const name = f.payload.toString("utf8");
          if (isForwardedSignal(name)) void signal(name as NodeJS.Signals);
          break;
        }
        default:
          break;
      }
    };
    for (const f of queued.splice(0)) onFrame(f);

    let finished = false;
    // The client left first: hang up on the command as a closed terminal would.
    wire.once("close", () => {
      if (finished) return;
      docker.destroy();
      void signal("SIGHUP");
    });
    await new Promise<void>((resolve) => docker.once("close", () => resolve()));
    const exitCode = await exitCodeOf(ep, execId);
    finished = true;
    if (!wire.destroyed) wire.end(encodeJsonFrame(FRAME.exit, { exitCode }));
    this.o.log({ msg: "exec session ended", sessionId: s.sessionId, exitCode });
  }
}

/** The exec's exit code, once Docker has recorded it (it may trail the end of the stream briefly). */
async function exitCodeOf(ep: DockerEndpoint, execId: string): Promise<number | null> {
  for (let i = 0; i < 100; i++) {
    const info = await inspectExec(ep, execId).catch(() => undefined);
    if (!info) return null;
    if (!info.Running && info.ExitCode !== null) return info.ExitCode;
    await new Promise((r) => setTimeout(r, Math.min(20 * (i + 1), 200)));
  }
  return null;
}
