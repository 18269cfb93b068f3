import { createConnection } from "node:net";

/**
 * HAProxy's runtime API over its stats socket: one command per connection, the answer is all
 * the socket sends until it closes. Bounded by `timeoutMs`.
 */
export function runtimeCommand(socketPath: string, command: string, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createConnection(socketPath);
    let out = "";
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`haproxy runtime API: no answer to '${command}' within ${timeoutMs} ms`));
    }, timeoutMs);
    sock.setEncoding("utf8");
    sock.on("data", (d: string) => (out += d));
    sock.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(out);
    });
    sock.write(`${command}\n`);
  });
}

/** `show stat` as rows keyed by column name (pxname, svname, scur, status, ...). */
export async function showStat(socketPath: string): Promise<Record<string, string>[]> {
  const text = await runtimeCommand(socketPath, "show stat");
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  if (lines.length === 0 || !lines[0].startsWith("# ")) return [];
  const cols = lines[0].slice(2).split(",");
  return lines.slice(1).map((l) => {
    const vals = l.split(",");
    return Object.fromEntries(cols.map((c, i) => [c, vals[i] ?? ""]));
  });
}

/** The worker's pid (`show info`), or undefined when the socket does not answer. */
export async function workerPid(socketPath: string): Promise<number | undefined> {
  try {
    const info = await runtimeCommand(socketPath, "show info", 2000);
    const m = /^Pid: (\d+)/m.exec(info);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
