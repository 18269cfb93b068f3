import type { JsonService, Operation, RequestContext } from "../../edge/service.js";
import { notImplemented, validateInput } from "../../edge/shape-model.js";
import { logsAuthorization } from "./authorization.js";
import type { LogsDeps } from "./common.js";
import * as events from "./events.js";
import * as groups from "./groups.js";
import { logsModel } from "./model.generated.js";
import * as streams from "./streams.js";
import * as tags from "./tags.js";
import { LOGS_VALIDATION } from "./validation.js";

export type { LogsDeps } from "./common.js";
export { appendLogEvents, type AppendRequest } from "./events.js";
export { splitIntoBatches } from "../../core/log-batch.js";

export const LOGS_TARGET_PREFIX = "Logs_20140328";

/**
 * A PutLogEvents body may carry 1,048,576 bytes of messages plus JSON framing and escapes
 * (a message of control characters escapes to 6× its size); 8 MiB leaves room for all of it.
 */
export const LOGS_MAX_BODY_BYTES = 8 * 1024 * 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LogsOperation = (deps: LogsDeps, input: any, ctx: RequestContext) => Promise<unknown>;

/** Operation modules register here: one function per operation. */
export const logsOperations: Record<string, LogsOperation> = {
  CreateLogGroup: groups.createLogGroup,
  DeleteLogGroup: groups.deleteLogGroup,
  DescribeLogGroups: groups.describeLogGroups,
  PutRetentionPolicy: groups.putRetentionPolicy,
  DeleteRetentionPolicy: groups.deleteRetentionPolicy,
  CreateLogStream: streams.createLogStream,
  DeleteLogStream: streams.deleteLogStream,
  DescribeLogStreams: streams.describeLogStreams,
  PutLogEvents: events.putLogEvents,
  GetLogEvents: events.getLogEvents,
  FilterLogEvents: events.filterLogEvents,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListTagsForResource: tags.listTagsForResource,
  TagLogGroup: tags.tagLogGroup,
  UntagLogGroup: tags.untagLogGroup,
  ListTagsLogGroup: tags.listTagsLogGroup,
};

/** The CloudWatch Logs JSON 1.1 service: every operation of the model, the unbuilt ones answering so. */
export function logsService(deps: LogsDeps): JsonService {
  const operations: Record<string, Operation> = {};
  for (const name of Object.keys(logsModel.operations)) {
    const impl = logsOperations[name];
    operations[name] = impl
      ? (input, ctx) => impl(deps, validateInput(logsModel, name, input, LOGS_VALIDATION), ctx)
      : () => {
          throw notImplemented("CloudWatch Logs", name);
        };
  }
  return {
    targetPrefix: LOGS_TARGET_PREFIX,
    signingName: "logs",
    operations,
    authorization: logsAuthorization,
    resourceTags: async (arn, p) => {
      const m = /:log-group:([^:]+)/.exec(arn);
      const tags = m ? deps.logs.getGroup(p.region, m[1]!)?.tags : undefined;
      return tags && Object.keys(tags).length ? tags : undefined;
    },
    maxBodyBytes: LOGS_MAX_BODY_BYTES,
  };
}
