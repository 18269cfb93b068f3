import type { DockerClient } from "../docker/client.js";
import { DockerApiError } from "../docker/errors.js";
import { openRequest } from "../docker/transport.js";
import { advance, type Position, sinceParam } from "./cursor.js";
import { DockerLogDecoder, LineAssembler, type LogLine } from "./docker-frames.js";

/** What the reader needs of its follower. */
export interface LogReaderHooks {
  docker: DockerClient;
  signal: AbortSignal;
  log: (line: Record<string, unknown>) => void;
  /** Hands over one line and the read position after it. */
  emit(line: LogLine, end: Position): void;
  /** Blocking mode: resolves once the queue is below its high water (undefined: go on reading). */
  backpressure(): Promise<void> | undefined;
  /** The task is stopping: a container that never started will not start now. */
  isFinal(): boolean;
}

/**
 * Reads one container's output from Docker: follows `GET /containers/{id}/logs?follow=1` from
 * the last position read; when the stream ends the container is inspected: still running
 * (Docker ended the stream early) → follow again; not started yet → wait; exited → read once
 * more without follow (stragglers) and finish. So lines written just before the exit are read.
 */
export class LogReader {
  /** Where the next read starts (and, after `run`, where reading ended). */
  pos: Position;
  /** Everything the container wrote was read (false when reading ended by abort). */
  complete = false;
  #wakePause?: () => void;

  constructor(
    private readonly hooks: LogReaderHooks,
    private readonly target: { id: string; tty: boolean },
    from: Position,
  ) {
    this.pos = from;
  }

  /** The container changed state (started, died): stop waiting and look again. */
  nudge(): void {
    this.#wakePause?.();
  }

  async run(): Promise<void> {
    const { docker, signal } = this.hooks;
    const asm = new LineAssembler(this.target.tty);
    const flush = () => {
      for (const l of asm.flush()) this.hooks.emit(l, this.pos);
    };
    while (!signal.aborted) {
      await this.readOnce(true, asm);
      if (signal.aborted) return;
      let info;
      try {
        info = await docker.inspectContainer(this.target.id);
      } catch (err) {
        if (err instanceof DockerApiError && err.statusCode === 404) {
          // Removed: what was read is shipped; nothing more can be.
          flush();
          this.complete = true;
          return;
        }
        await this.pause(500);
        continue;
      }
      const s = info.State.Status;
      if (s === "exited" || s === "dead" || s === "removing") {
        await this.readOnce(false, asm);
        flush();
        this.complete = !signal.aborted;
        return;
      }
      if (s === "created" && this.hooks.isFinal()) {
        this.complete = true;
        return;
      }
      await this.pause(s === "created" ? 1_000 : 100);
    }
  }

  private async readOnce(follow: boolean, asm: LineAssembler): Promise<void> {
    const { docker, signal } = this.hooks;
    const since = sinceParam(this.pos);
    const sinceTs = this.pos.ts;
    let skip = this.pos.skip;
    const query = `follow=${follow ? 1 : 0}&stdout=1&stderr=1&timestamps=1${since ? `&since=${since}` : ""}`;
    const dec = new DockerLogDecoder(this.target.tty);
    try {
      const res = await openRequest(docker.endpoint, {
        method: "GET",
        path: `/containers/${encodeURIComponent(this.target.id)}/logs?${query}`,
        signal,
        timeoutMs: 0,
      });
      for await (const chunk of res) {
        for (const m of dec.push(chunk as Buffer)) {
          // The first `skip` messages stamped exactly `since` were read before (cursor.ts).
          if (skip > 0 && m.ts === sinceTs) {
            skip--;
            continue;
          }
          skip = 0;
          this.pos = advance(this.pos, m.ts);
          const line = asm.push(m);
          if (line) this.hooks.emit(line, this.pos);
        }
        for (let wait = this.hooks.backpressure(); wait && !signal.aborted; wait = this.hooks.backpressure()) await wait;
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof DockerApiError && err.statusCode === 404) return;
      this.hooks.log({ msg: "docker log stream interrupted, resuming", container: this.target.id, error: (err as Error).message });
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wakePause = done;
      if (this.hooks.signal.aborted) done();
    }).finally(() => (this.#wakePause = undefined));
  }
}
