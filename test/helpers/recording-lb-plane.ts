import type { DrainComplete, LbDataPlane, LbDesiredState, TargetHealthReport } from "../../src/core/lb/data-plane-contract.js";

/**
 * An in-memory LbDataPlane for tests: records every state it is given, serves nothing, and lets
 * the test play the data plane's part (health reports, drain completions).
 */
export class RecordingLbPlane implements LbDataPlane {
  readonly states: LbDesiredState[] = [];
  #health: ((r: TargetHealthReport) => void)[] = [];
  #drained: ((d: DrainComplete) => void)[] = [];
  closed = false;

  get last(): LbDesiredState | undefined {
    return this.states[this.states.length - 1];
  }

  async apply(state: LbDesiredState): Promise<void> {
    this.states.push(structuredClone(state));
  }
  onHealth(listener: (r: TargetHealthReport) => void): void {
    this.#health.push(listener);
  }
  onDrained(listener: (d: DrainComplete) => void): void {
    this.#drained.push(listener);
  }
  async close(): Promise<void> {
    this.closed = true;
  }

  report(r: TargetHealthReport): void {
    for (const l of this.#health) l(r);
  }
  drained(d: DrainComplete): void {
    for (const l of this.#drained) l(d);
  }
}
