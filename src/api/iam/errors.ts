import { AwsError } from "../../core/errors.js";

/** IAM's errors, code and text as IAM answers them (HTTP status as IAM sends it). */
export const noSuchEntity = (message: string): AwsError => new AwsError("NoSuchEntity", message, 404);
export const entityAlreadyExists = (message: string): AwsError => new AwsError("EntityAlreadyExists", message, 409);
export const deleteConflict = (message: string): AwsError => new AwsError("DeleteConflict", message, 409);
export const limitExceeded = (message: string): AwsError => new AwsError("LimitExceeded", message, 409);
export const invalidInput = (message: string): AwsError => new AwsError("InvalidInput", message);
export const validationError = (message: string): AwsError => new AwsError("ValidationError", message);
export const unmodifiable = (message: string): AwsError => new AwsError("UnmodifiableEntity", message);

export const noSuchUser = (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`);
export const noSuchGroup = (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`);
export const noSuchRole = (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`);
export const noSuchPolicy = (arn: string) => noSuchEntity(`Policy ${arn} was not found.`);
export const notAttachable = (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
export const noSuchInstanceProfile = (name: string) => noSuchEntity(`Instance Profile ${name} cannot be found.`);
export const noSuchAccessKey = (id: string) => noSuchEntity(`The Access Key with id ${id} cannot be found.`);

/** "Cannot delete entity, must …" (users and roles with keys, policies or instance profiles). */
export const mustFirst = (what: string) => deleteConflict(`Cannot delete entity, must ${what} first.`);
