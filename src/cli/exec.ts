import type { Socket } from "node:net";
import { EcsApiError } from "../contracts/wharf-client.js";
import { EXEC_TOKEN_HEADER, openUpgrade, UpgradeRefused } from "../contracts/exec-stream.js";
import { quoteArgv } from "../core/exec/command.js";
import { encodeFrames, encodeFrame, encodeJsonFrame, FRAME, FrameDecoder, type OpenFrame } from "../core/exec/frames.js";
import { HELP_LINE, HELP_OPTION, parseCommandArgs } from "./args.js";
import { CliError, connect, CONNECTION_HELP, CONNECTION_OPTIONS } from "./connection.js";

export const EXEC_HELP = `wharf exec — run a command in a running task's container (ECS Exec, like docker exec)

Usage: wharf exec TASK [--cluster NAME] [--container NAME] [-i] [-t] -- COMMAND [ARG...]

  TASK                 task id or ARN
  --cluster NAME       the cluster (default "default")
  --container NAME     the container (needed when the task has more than one)
  --interactive, -i    pass this terminal's stdin to the command
  --tty, -t            give the command a pseudo-terminal (with -i: this terminal is put in raw
                       mode for the session and restored afterwards; its size follows)
${HELP_LINE}
The task must have been run with enableExecuteCommand (RunTask's or StartTask's, or its
service's: aws ecs run-task … with that flag). It calls the ECS ExecuteCommand API, then opens the
session it answers through Wharf to the task's agent, which runs COMMAND with Docker's exec API
(a read-only root filesystem is fine). SIGINT, SIGTERM and SIGHUP received by wharf exec are sent
to the command; with -t, Ctrl-C reaches it through its terminal.

Exit codes: the command's exit code; 126 when the agent could not run it (the reason is printed);
1 on any other error.

${CONNECTION_HELP}`;

export const EXEC_OPTIONS = {
  ...CONNECTION_OPTIONS,
  cluster: { type: "string" },
  container: { type: "string" },
  interactive: { type: "boolean", short: "i" },
  tty: { type: "boolean", short: "t" },
  ...HELP_OPTION,
} as const;

/** Exit code when the agent could not start the command (docker exec's "cannot invoke"). */
export const CANNOT_RUN_EXIT_CODE = 126;

interface ExecuteCommandOutput {
  session?: { sessionId?: string; streamUrl?: string; tokenValue?: string };
}

export async function execCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("exec", argv, EXEC_OPTIONS, true);
  if (values.help) {
    process.stdout.write(EXEC_HELP);
    return 0;
  }
  const dash = argv.indexOf("--");
  const command = dash >= 0 ? argv.slice(dash + 1) : [];
  const named = dash >= 0 ? positionals.slice(0, positionals.length - command.length) : positionals;
  if (named.length !== 1) throw new CliError("give one task: wharf exec TASK [options] -- COMMAND (see wharf exec --help)");
  if (command.length === 0) throw new CliError("give the command after --: wharf exec TASK -- sh (see wharf exec --help)");
  const tty = values.tty === true;
  const stdin = values.interactive === true;
  if (tty && stdin && !process.stdin.isTTY) throw new CliError("the input device is not a TTY (drop -t, or run from a terminal)");
  const conn = connect(values);
  let out: ExecuteCommandOutput;
  try {
    out = await conn.ecs<ExecuteCommandOutput>("ExecuteCommand", {
      cluster: values.cluster ?? "default",
      task: named[0],
      ...(values.container ? { container: values.container } : {}),
      command: quoteArgv(command),
      interactive: true,
    });
  } catch (err) {
    if (err instanceof EcsApiError) throw new CliError(`${err.code}: ${err.message.slice(err.code.length + 2)}`);
    throw err;
  }
  const session = out.session;
  if (!session?.streamUrl || !session.tokenValue) throw new CliError("ExecuteCommand answered no session");
  let wire: Socket;
  let head: Buffer;
  try {
    // The stream is served where the API answered: open its path on the endpoint this CLI reached
    // (the control plane names its own listening address, which another host may reach otherwise).
    const stream = new URL(new URL(session.streamUrl).pathname, conn.endpoint);
    ({ socket: wire, head } = await openUpgrade(stream, { [EXEC_TOKEN_HEADER]: session.tokenValue }));
  } catch (err) {
    if (err instanceof UpgradeRefused) throw new CliError(`the session could not be opened: ${err.code}: ${err.message}`);
    throw new CliError(`the session could not be opened: ${(err as Error).message}`);
  }
  return relay(wire, head, { tty, stdin });
}

/** Relays this terminal and the session until the command's exit frame; returns its exit code. */
function relay(wire: Socket, head: Buffer, mode: { tty: boolean; stdin: boolean }): Promise<number> {
  const input = process.stdin;
  const raw = mode.tty && mode.stdin && input.isTTY === true;
  const size = () => (process.stdout.isTTY ? { cols: process.stdout.columns, rows: process.stdout.rows } : {});
  const open: OpenFrame = { tty: mode.tty, stdin: mode.stdin, ...size() };
  wire.write(encodeJsonFrame(FRAME.open, open));
  if (raw) input.setRawMode(true);

  const onStdin = (chunk: Buffer) => {
    for (const f of encodeFrames(FRAME.stdin, chunk)) wire.write(f);
  };
  const onStdinEnd = () => wire.writable && wire.write(encodeFrame(FRAME.stdinEnd));
  const onResize = () => wire.writable && wire.write(encodeJsonFrame(FRAME.resize, size()));
  const forward = (signal: NodeJS.Signals) => () => wire.writable && wire.write(encodeFrame(FRAME.signal, signal));
  const signals: [NodeJS.Signals, () => void][] = (["SIGINT", "SIGTERM", "SIGHUP"] as NodeJS.Signals[]).map((s) => [s, forward(s)]);
  if (mode.stdin) {
    input.on("data", onStdin);
    input.once("end", onStdinEnd);
  }
  if (mode.tty) process.stdout.on("resize", onResize);
  for (const [s, h] of signals) process.on(s, h);

  return new Promise<number>((resolve) => {
    let code: number | undefined;
    let failure: string | undefined;
    const finish = () => {
      if (raw) input.setRawMode(false);
      input.off("data", onStdin);
      input.off("end", onStdinEnd);
      if (mode.stdin) input.pause();
      process.stdout.off("resize", onResize);
      for (const [s, h] of signals) process.off(s, h);
      if (failure !== undefined) process.stderr.write(`wharf exec: ${failure}\n`);
      resolve(code ?? 1);
    };
    const decoder = new FrameDecoder();
    const onData = (chunk: Buffer) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        failure = `the session's stream is corrupt: ${(err as Error).message}`;
        return void wire.destroy();
      }
      for (const f of frames) {
        if (f.type === FRAME.stdout) process.stdout.write(f.payload);
        else if (f.type === FRAME.stderr) process.stderr.write(f.payload);
        else if (f.type === FRAME.exit) {
          const exitCode = (JSON.parse(f.payload.toString("utf8")) as { exitCode: number | null }).exitCode;
          if (exitCode === null) failure = "the command's exit code is unknown";
          code = exitCode ?? 1;
        } else if (f.type === FRAME.error) {
          failure = f.payload.toString("utf8");
          code = CANNOT_RUN_EXIT_CODE;
        }
      }
    };
    wire.on("data", onData);
    if (head.length) onData(head);
    wire.on("error", (err) => {
      if (code === undefined) failure = `the session was lost: ${err.message}`;
    });
    wire.once("close", () => {
      if (code === undefined && failure === undefined) failure = "the session ended before the command's exit code arrived";
      finish();
    });
  });
}
