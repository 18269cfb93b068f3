/**
 * Stopping a child process Wharf started (HAProxy's master, the distribution registry): SIGTERM, then
 * SIGKILL when it has not exited within the grace period. Written against the two methods it uses so
 * the logic is testable without a process.
 */
export interface StoppableChild {
  kill(signal: NodeJS.Signals): boolean;
  once(event: "exit", listener: () => void): unknown;
}

export async function stopChild(child: StoppableChild, graceMs = 5000): Promise<void> {
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}
