import { AwsError } from "../errors.js";

/** Application Auto Scaling's errors (its model's exception shapes), in its words. */
export const validation = (message: string): AwsError => new AwsError("ValidationException", message);
export const objectNotFound = (message: string): AwsError => new AwsError("ObjectNotFoundException", message);
export const resourceNotFound = (message: string, arn: string): AwsError => new AwsError("ResourceNotFoundException", message, 400, { ResourceName: arn });
export const limitExceeded = (message: string): AwsError => new AwsError("LimitExceededException", message);
export const tooManyTags = (message: string, arn: string): AwsError => new AwsError("TooManyTagsException", message, 400, { ResourceName: arn });
export const invalidNextToken = (): AwsError => new AwsError("InvalidNextTokenException", "Invalid token");

export const targetKey = (ns: string, resourceId: string, dim: string): string =>
  `service namespace: ${ns}, resource ID: ${resourceId}, scalable dimension: ${dim}`;

export const noTarget = (ns: string, resourceId: string, dim: string): AwsError =>
  objectNotFound(`No scalable target registered for ${targetKey(ns, resourceId, dim)}`);
export const noPolicy = (ns: string, resourceId: string, dim: string, name: string): AwsError =>
  objectNotFound(`No scaling policy found for ${targetKey(ns, resourceId, dim)}, policy name: ${name}`);
export const noScheduledAction = (ns: string, resourceId: string, dim: string, name: string): AwsError =>
  objectNotFound(`No scheduled action found for ${targetKey(ns, resourceId, dim)}, scheduled action name: ${name}`);
