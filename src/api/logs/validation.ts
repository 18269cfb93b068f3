import { validateInput, type ValidationOptions } from "../../edge/shape-model.js";
import { logsModel } from "./model.generated.js";

/**
 * CloudWatch Logs reports a missing required member with the other violations ("Value null at
 * 'logEvents' failed to satisfy constraint: Member must not be null"). A log event's message may
 * be 1 MB (the model leaves it open): PutLogEvents' own size rules bound it, not Wharf's 64 KiB guard.
 */
export const LOGS_VALIDATION: ValidationOptions = { required: "not-null", uncapped: new Set(["EventMessage"]) };

/** An operation's input checked against CloudWatch Logs' model (for callers that bypass the edge). */
export const validateLogsInput = (operation: string, input: Record<string, unknown>): Record<string, unknown> =>
  validateInput(logsModel, operation, input, LOGS_VALIDATION);
