import type { IncomingMessage, ServerResponse } from "node:http";
import type { AwsError } from "../../core/errors.js";
import type { Service } from "../service.js";

/** The request as the edge read it: headers, the path and query string, the whole body. */
export interface WireRequest {
  req: IncomingMessage;
  path: string;
  /** The raw query string (without `?`), "" when there is none. */
  query: string;
  body: Buffer;
}

/**
 * One AWS wire protocol: how a request names its operation and carries its input, and how the
 * output and errors go back. The edge (server.ts) does HTTP, SigV4 and dispatch; a protocol only
 * translates, so one server speaks JSON 1.1 (ECS, Logs), EC2 and, next, Query (ELBv2, IAM, STS).
 */
export interface Protocol {
  readonly name: "json" | "ec2" | "query";
  /** The operation the request names (one of `service.operations`); throws the protocol's AwsError. */
  operation(service: Service, wire: WireRequest): string;
  /** The operation's typed input, read from the request. */
  input(service: Service, wire: WireRequest, operation: string): Record<string, unknown>;
  write(res: ServerResponse, service: Service, operation: string, output: unknown, requestId: string): void;
  /** `service`: the service the request was routed to, when known (its model may name the error's namespace). */
  writeError(res: ServerResponse, err: AwsError, requestId: string, service?: Service): void;
}
