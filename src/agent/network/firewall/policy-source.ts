import { EMPTY_NETWORK_POLICY, type NetworkPolicy } from "../../../core/network/security-policy.js";

/**
 * Where an agent's network policy comes from. Level-triggered: every delivery is the host's
 * whole policy. The default source is the agent channel (each poll answer's `networkPolicy`,
 * absent meaning the empty policy); tests and other feeders may pass their own.
 */
export interface NetworkPolicySource {
  /** Calls `listener` with the current policy if one is known, then on every change; returns "stop". */
  watch(listener: (policy: NetworkPolicy) => void): () => void;
}

/** A source fed by hand: `push` delivers to every watcher (the poll loop feeds the agent's this way). */
export class PushedPolicySource implements NetworkPolicySource {
  private current?: NetworkPolicy;
  private readonly listeners = new Set<(policy: NetworkPolicy) => void>();

  push(policy: NetworkPolicy | undefined): void {
    this.current = policy ?? EMPTY_NETWORK_POLICY;
    for (const l of [...this.listeners]) l(this.current);
  }

  watch(listener: (policy: NetworkPolicy) => void): () => void {
    this.listeners.add(listener);
    if (this.current) listener(this.current);
    return () => void this.listeners.delete(listener);
  }
}
