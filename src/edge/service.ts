import type { Principal } from "../core/arn.js";
import type { AwsError } from "../core/errors.js";
import type { CompiledPolicy, ContextValue } from "../core/iam/index.js";
import type { Caller } from "./identity.js";
import type { ShapeModel } from "./shape-model.js";

/** Everything an operation learns about the request beyond its input. */
export interface RequestContext {
  principal: Principal;
  requestId: string;
  accessKeyId: string;
  /** ARN of the caller (`registeredBy` and friends). */
  callerArn: string;
  /**
   * The verified caller of an API request: its principal and the policies the authorizer
   * evaluates. Absent for Wharf's own calls (the service scheduler, internal routes).
   */
  caller?: Caller;
}

export type Operation = (input: Record<string, unknown>, ctx: RequestContext) => Promise<unknown> | unknown;

/** Condition-context facts one call adds to the request context (service keys, the request's tags). */
export interface CallContext {
  /** Service keys such as `ecs:cluster`, `ecs:task-definition`, `logs:…` (any case). */
  keys?: Readonly<Record<string, ContextValue | undefined>>;
  /** The tags the call puts on what it creates or tags: aws:RequestTag/… and aws:TagKeys. */
  requestTags?: Readonly<Record<string, string>>;
}

/** One further authorization a call needs beyond its own action, e.g. `iam:PassRole` on a role it hands over. */
export interface ExtraCheck {
  action: string;
  resource: string;
  keys?: Readonly<Record<string, ContextValue | undefined>>;
  /**
   * The role must exist and trust this service principal (checked for every caller, the root too,
   * when the edge has a role directory); `refusal` is the service's answer otherwise.
   */
  requireTrust?: { service: string; refusal: AwsError };
}

/**
 * How an operation is authorized (the Service Authorization Reference's row for it): the IAM
 * action, the resource ARNs it authorizes against (`*` when it has none), the condition keys
 * it sets, and further checks (iam:PassRole). Read by the edge's authorizer for non-root callers.
 */
export interface OperationAuthz {
  /** `service:Action`, e.g. `ecs:RunTask`. */
  action: string;
  // Input is the parsed, not yet validated request: every member may be missing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resources: (input: any, p: Principal) => string[] | Promise<string[]>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  context?: (input: any, p: Principal) => CallContext;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  also?: (input: any, p: Principal) => ExtraCheck[] | Promise<ExtraCheck[]>;
}

interface ServiceBase {
  /** The SigV4 signing name (`ecs`, `logs`, `ec2`): the service of the request's credential scope. */
  signingName: string;
  operations: Record<string, Operation>;
  /**
   * How each operation is authorized, keyed like `operations`. An operation missing here is
   * authorized as `SIGNINGNAME:Operation` on `*`.
   */
  authorization?: Record<string, OperationAuthz>;
  /**
   * The stored tags of a resource by ARN (aws:ResourceTag/… and SIGNINGNAME:ResourceTag/…),
   * looked up by the authorizer only for callers whose policies read resource tags.
   */
  resourceTags?: (arn: string, p: Principal) => Promise<Readonly<Record<string, string>> | undefined>;
  /**
   * The resource-based policies of a resource by ARN (an ECR repository policy), evaluated by the
   * authorizer with the caller's own (IAM's logic: identity or resource policy allows, any
   * explicit Deny wins). Absent or empty: identity policies alone decide.
   */
  resourcePolicies?: (arn: string, p: Principal) => Promise<readonly CompiledPolicy[] | undefined>;
  /** Largest request body this service accepts (default MAX_BODY_BYTES); CloudWatch Logs needs more. */
  maxBodyBytes?: number;
}

/**
 * One AWS JSON 1.1 service served by the edge: its `X-Amz-Target` prefix, its SigV4
 * signing name and its operations, keyed by operation name. Adding a service (CloudWatch
 * Logs, Cloud Map, …) means adding one of these, not touching the edge or other services.
 */
export interface JsonService extends ServiceBase {
  protocol?: "json";
  targetPrefix: string;
  /** AWS JSON 1.1 (the default) or 1.0 (CloudWatch): the content type of the answers. */
  jsonVersion?: "1.0" | "1.1";
  /**
   * `awsQueryCompatible` services (CloudWatch): errors also carry `x-amzn-query-error: Code;Sender`,
   * from which the clients take the Query error code.
   */
  queryCompatible?: boolean;
}

/**
 * A service of the Query family (`Action=…&Version=…` form posts, XML answers): `ec2` (EC2's own
 * variant) or `query` (ELBv2, IAM, STS). The request names no service: the edge finds it by the
 * signing name of the credential scope. Its model tells the edge how to read the flattened input
 * into the operation's typed input and how to write the output as XML (src/edge/protocols/).
 */
export interface QueryService extends ServiceBase {
  protocol: "ec2" | "query";
  model: ShapeModel;
}

export type Service = JsonService | QueryService;

export const isQueryService = (s: Service): s is QueryService => s.protocol === "ec2" || s.protocol === "query";
