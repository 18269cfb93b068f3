import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { stopChild } from "../../src/core/child-stop.js";

class FakeChild extends EventEmitter {
  signals: string[] = [];
  constructor(private readonly exitsOn: string) {
    super();
  }
  kill(signal: NodeJS.Signals): boolean {
    this.signals.push(signal);
    if (signal === this.exitsOn) setImmediate(() => this.emit("exit"));
    return true;
  }
}

test("a child that exits on SIGTERM gets no SIGKILL", async () => {
  const child = new FakeChild("SIGTERM");
  await stopChild(child, 50);
  assert.deepEqual(child.signals, ["SIGTERM"]);
});

test("a child that ignores SIGTERM is killed after the grace period", async () => {
  const child = new FakeChild("SIGKILL");
  await stopChild(child, 10);
  assert.deepEqual(child.signals, ["SIGTERM", "SIGKILL"]);
});
