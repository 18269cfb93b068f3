/**
 * Errors that cross the API border. Each carries the AWS error name (`__type`), the
 * message the client shows, and the HTTP status. The edge alone turns them into bytes.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** Members the error's shape adds beside the message (Cloud Map's `NamespaceId`, `DuplicateOperationId`). */
    readonly fields?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = code;
  }
}

/** Generic client-side fault: ECS uses it for most "bad request" cases. */
export const clientException = (message: string): AwsError => new AwsError("ClientException", message);
/** A parameter is out of range, malformed or inconsistent with another. */
export const invalidParameter = (message: string): AwsError =>
  new AwsError("InvalidParameterException", message);
export const clusterNotFound = (message = "Cluster not found."): AwsError =>
  new AwsError("ClusterNotFoundException", message);
export const serverException = (message: string): AwsError => new AwsError("ServerException", message, 500);
export const unknownOperation = (op: string): AwsError =>
  new AwsError("UnknownOperationException", `Unknown operation ${op}`);
export const serializationError = (message: string): AwsError =>
  new AwsError("SerializationException", message);
