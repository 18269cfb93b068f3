import type { Principal } from "../core/arn.js";

/** Everything an operation learns about the request beyond its input. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  accessKeyId: string;
  /** ARN of the caller (`registeredBy` and friends). */
  callerArn: string;
}

export type Operation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<unknown> | unknown;

/**
 * One AWS JSON 1.1 service served by the edge: its `X-Amz-Target` prefix, its SigV4
 * signing name and its operations, keyed by operation name. Adding a service (CloudWatch
 * Logs, Cloud Map, …) means adding one of these, not touching the edge or other services.
 */
export interface JsonService {
  targetPrefix: string;
  signingName: string;
  operations: Record<string, Operation>;
  /** Largest request body this service accepts (default MAX_BODY_BYTES); CloudWatch Logs needs more. */
  maxBodyBytes?: number;
}
