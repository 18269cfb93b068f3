import { arnBase, type Principal } from "../../core/arn.js";
import { AwsError } from "../../core/errors.js";
import type { JsonService, QueryService } from "../../edge/service.js";
import { authorizationOf, type OperationSpec, tagListToMap } from "../operation-spec.js";
import { queryOperations } from "../query-operations.js";
import * as alarms from "./alarms.js";
import type { CloudWatchDeps } from "./common.js";
import * as history from "./history.js";
import * as metrics from "./metrics.js";
import { cloudwatchModel } from "./model.generated.js";
import * as tags from "./tags.js";

export type { CloudWatchDeps } from "./common.js";
export { AlarmBook } from "./alarm-book.js";
export { MetricStore, DEFAULT_METRIC_BOUNDS, type MetricStoreBounds } from "./metric-store.js";
export { startAlarmEvaluator, DEFAULT_ALARM_INTERVAL_MS, MIN_ALARM_INTERVAL_MS, type AlarmEvaluator } from "./evaluator.js";
export { cloudwatchAlarmRegistry, cloudwatchAlarmStates } from "./registry.js";

/** CloudWatch's JSON target prefix (AWS JSON 1.0, awsQueryCompatible). */
export const CLOUDWATCH_TARGET_PREFIX = "GraniteServiceVersion20100801";

/** PutMetricData may carry 1,000 datums of 150 values each (1 MiB compressed); 4 MiB inflated leaves room. */
export const CLOUDWATCH_MAX_BODY_BYTES = 4 * 1024 * 1024;

type Spec = OperationSpec<CloudWatchDeps>;
type Resources = Spec["resources"];

const alarm = (p: Principal, name: string) => `${arnBase(p, "cloudwatch")}:alarm:${name}`;
const none: Resources = () => ["*"];
const allAlarms: Resources = (_i, p) => [alarm(p, "*")];
const named: Resources = (i: { AlarmName?: string }, p) => [alarm(p, i.AlarmName ?? "*")];
const namedList: Resources = (i: { AlarmNames?: string[] }, p) => (i.AlarmNames?.length ? i.AlarmNames.map((n) => alarm(p, n)) : [alarm(p, "*")]);
const resourceArn: Resources = (i: { ResourceARN?: string }) => [i.ResourceARN ?? "*"];

const spec = (name: string, run: Spec["run"], resources: Resources, extra: Partial<Spec> = {}): [string, Spec] => [
  name,
  { run, action: `cloudwatch:${name}`, resources, ...extra },
];

/**
 * CloudWatch operations Wharf serves, each with its IAM action (`cloudwatch:PutMetricAlarm`) and
 * resources as the Service Authorization Reference gives them: alarms
 * (`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`) where the action has resource-level permissions,
 * `*` for the metric operations (PutMetricData sets `cloudwatch:namespace`).
 */
export const cloudwatchOperations: Record<string, Spec> = Object.fromEntries([
  spec("PutMetricData", metrics.putMetricData, none, { context: (i: { Namespace?: string }) => ({ keys: { "cloudwatch:namespace": i.Namespace } }) }),
  spec("GetMetricStatistics", metrics.getMetricStatistics, none),
  spec("GetMetricData", metrics.getMetricData, none),
  spec("ListMetrics", metrics.listMetrics, none),
  spec("PutMetricAlarm", alarms.putMetricAlarm, named),
  spec("DescribeAlarms", alarms.describeAlarms, allAlarms),
  spec("DescribeAlarmsForMetric", alarms.describeAlarmsForMetric, none),
  spec("DeleteAlarms", alarms.deleteAlarms, namedList),
  spec("SetAlarmState", alarms.setAlarmState, named),
  spec("DescribeAlarmHistory", history.describeAlarmHistory, named),
  spec("EnableAlarmActions", alarms.enableAlarmActions, namedList),
  spec("DisableAlarmActions", alarms.disableAlarmActions, namedList),
  spec("TagResource", tags.tagResource, resourceArn),
  spec("UntagResource", tags.untagResource, resourceArn),
  spec("ListTagsForResource", tags.listTagsForResource, resourceArn),
]);

const cloudwatchNotImplemented = (op: string): AwsError =>
  new AwsError("UnsupportedFeatureException", `CloudWatch ${op} is not implemented by Wharf yet.`);

function callContext(input: { Tags?: unknown }) {
  const t = tagListToMap(input.Tags);
  return t ? { requestTags: t } : {};
}

/**
 * CloudWatch on both wire protocols its current clients send (docs/cloudwatch.md): AWS JSON 1.0
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, awsQueryCompatible: the SDK v3 and the AWS
 * CLI) and Query (`Action=<Op>`, XML answers: the Terraform provider's aws-sdk-go-v2). One set of
 * operations; the edge picks the protocol per request.
 */
export function cloudwatchServices(deps: CloudWatchDeps): [JsonService, QueryService] {
  const operations = queryOperations(cloudwatchModel, cloudwatchOperations, deps, cloudwatchNotImplemented);
  const authorization = authorizationOf(cloudwatchOperations, callContext);
  const resourceTags = async (arn: string, p: Principal) => {
    const m = /:alarm:(.+)$/.exec(arn);
    const t = m ? deps.alarms.get(p.accountId, p.region, m[1]!)?.tags : undefined;
    return t && Object.keys(t).length ? t : undefined;
  };
  const common = { signingName: "monitoring", operations, authorization, resourceTags, maxBodyBytes: CLOUDWATCH_MAX_BODY_BYTES };
  return [
    { ...common, protocol: "json", targetPrefix: CLOUDWATCH_TARGET_PREFIX, jsonVersion: "1.0", queryCompatible: true },
    { ...common, protocol: "query", model: cloudwatchModel },
  ];
}
