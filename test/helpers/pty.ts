import { spawn } from "node:child_process";

/**
 * Runs a command on a pseudo-terminal (python3's pty module) and plays a script against it: for
 * each step, wait until the terminal's output (since the previous step) matches `expect`, then
 * type `send`. Resolves with the whole output and the command's exit code. Each wait is bounded
 * by `timeoutS`; a step that never matches fails with the output seen.
 */
export interface PtyStep {
  expect: string;
  send?: string;
}

const DRIVER = String.raw`
import fcntl, json, os, pty, re, select, struct, sys, termios, time
spec = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(spec["argv"][0], spec["argv"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", spec["rows"], spec["cols"], 0, 0))
out = b""
mark = 0
def read_some(deadline):
    global out
    r, _, _ = select.select([fd], [], [], max(0, deadline - time.time()))
    if not r:
        return False
    try:
        data = os.read(fd, 4096)
    except OSError:
        return None
    if not data:
        return None
    out += data
    return True
for step in spec["steps"]:
    deadline = time.time() + spec["timeout"]
    pat = re.compile(step["expect"].encode())
    while True:
        m = pat.search(out, mark)
        if m:
            mark = m.end()
            break
        got = read_some(deadline)
        if got is None or (got is False and time.time() >= deadline):
            sys.stdout.write(json.dumps({"error": "no match for " + step["expect"], "output": out.decode("utf8", "replace")}))
            os.kill(pid, 9)
            sys.exit(0)
    if step.get("send") is not None:
        os.write(fd, step["send"].encode())
deadline = time.time() + spec["timeout"]
while read_some(deadline) is True:
    pass
_, status = os.waitpid(pid, 0)
code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
sys.stdout.write(json.dumps({"code": code, "output": out.decode("utf8", "replace")}))
`;

export function runOnPty(
  argv: string[],
  steps: PtyStep[],
  opts: { env: NodeJS.ProcessEnv; rows?: number; cols?: number; timeoutS?: number },
): Promise<{ code: number; output: string }> {
  const spec = JSON.stringify({ argv, steps, rows: opts.rows ?? 24, cols: opts.cols ?? 80, timeout: opts.timeoutS ?? 60 });
  return new Promise((resolve, reject) => {
    const p = spawn("python3", ["-c", DRIVER, spec], { env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    p.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    p.once("error", reject);
    p.once("close", () => {
      let r: { code?: number; output: string; error?: string };
      try {
        r = JSON.parse(stdout) as typeof r;
      } catch {
        return reject(new Error(`the pty driver failed: ${stderr || stdout}`));
      }
      if (r.error) return reject(new Error(`${r.error}; the terminal showed:\n${r.output}`));
      resolve({ code: r.code!, output: r.output });
    });
  });
}
