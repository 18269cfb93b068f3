import { AwsError } from "../errors.js";

/** Cloud Map's error codes (all 400 but the throttles), with the members their shapes add. */
export const invalidInput = (message: string): AwsError => new AwsError("InvalidInput", message);
export const namespaceNotFound = (id: string): AwsError => new AwsError("NamespaceNotFound", `Namespace not found: ${id}`);
export const serviceNotFound = (id: string): AwsError => new AwsError("ServiceNotFound", `Service not found: ${id}`);
export const instanceNotFound = (id: string): AwsError => new AwsError("InstanceNotFound", `Instance not found: ${id}`);
export const operationNotFound = (id: string): AwsError => new AwsError("OperationNotFound", `Operation not found: ${id}`);
export const resourceNotFound = (arn: string): AwsError => new AwsError("ResourceNotFoundException", `Resource not found: ${arn}`);
export const resourceInUse = (message: string): AwsError => new AwsError("ResourceInUse", message);
export const customHealthNotFound = (serviceId: string): AwsError =>
  new AwsError("CustomHealthNotFound", `Service ${serviceId} does not have a custom health check configured.`);
export const namespaceAlreadyExists = (name: string, namespaceId: string, creatorRequestId: string | undefined): AwsError =>
  new AwsError("NamespaceAlreadyExists", `Namespace with name ${name} already exists.`, 400, {
    NamespaceId: namespaceId,
    ...(creatorRequestId ? { CreatorRequestId: creatorRequestId } : {}),
  });
export const serviceAlreadyExists = (name: string, serviceId: string, serviceArn: string, creatorRequestId: string | undefined): AwsError =>
  new AwsError("ServiceAlreadyExists", `Service already exists: ${name}`, 400, {
    ServiceId: serviceId,
    ServiceArn: serviceArn,
    ...(creatorRequestId ? { CreatorRequestId: creatorRequestId } : {}),
  });
export const duplicateRequest = (message: string, operationId?: string): AwsError =>
  new AwsError("DuplicateRequest", message, 400, operationId ? { DuplicateOperationId: operationId } : undefined);
export const tooManyTags = (resourceName: string): AwsError =>
  new AwsError("TooManyTagsException", "The resource can have at most 50 tags.", 400, { ResourceName: resourceName });
