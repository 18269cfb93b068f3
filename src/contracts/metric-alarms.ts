/**
 * How Application Auto Scaling (src/api/applicationautoscaling/) and CloudWatch
 * (src/api/cloudwatch/) meet, without importing each other:
 *
 * - Application Auto Scaling's target-tracking policies create and delete the CloudWatch alarms AWS
 *   creates for them (`TargetTracking-<resourceId>-AlarmHigh-<uuid>` / `-AlarmLow-<uuid>`) through an
 *   `AlarmRegistry` that CloudWatch implements; those alarms are then listed by DescribeAlarms as any
 *   other alarm.
 * - CloudWatch's alarm evaluator invokes an alarm's actions through the `AlarmActionInvoker` registered
 *   for the action ARN's service (`arn:aws:autoscaling:…:scalingPolicy:…` for Application Auto Scaling
 *   policies, as AWS names them). CloudWatch invokes Auto Scaling actions on the state change and again
 *   on every evaluation while the alarm stays in that state (as CloudWatch does for Auto Scaling).
 *
 * The server (src/server.ts) wires one to the other.
 */

export interface AlarmDimension {
  Name: string;
  Value: string;
}

/** The subset of PutMetricAlarm's input a scaling policy needs (CloudWatch's own field names). */
export interface MetricAlarmSpec {
  AlarmName: string;
  AlarmDescription?: string;
  Namespace: string;
  MetricName: string;
  Dimensions: AlarmDimension[];
  Statistic: "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";
  Unit?: string;
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator:
    | "GreaterThanOrEqualToThreshold"
    | "GreaterThanThreshold"
    | "LessThanThreshold"
    | "LessThanOrEqualToThreshold";
  TreatMissingData?: "breaching" | "notBreaching" | "ignore" | "missing";
  AlarmActions: string[];
  OKActions?: string[];
  ActionsEnabled?: boolean;
}

export interface AlarmRegistry {
  /** Creates or replaces the alarm (PutMetricAlarm semantics); answers its AlarmArn. */
  putAlarm(accountId: string, region: string, spec: MetricAlarmSpec): Promise<string>;
  /** Deletes the named alarms; names that do not exist are ignored. */
  deleteAlarms(accountId: string, region: string, names: string[]): Promise<void>;
}

/** What an alarm action receives (the alarm at the time of the evaluation that invoked it). */
export interface AlarmActionEvent {
  accountId: string;
  region: string;
  actionArn: string;
  alarmName: string;
  alarmArn: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** CloudWatch's StateReason text, e.g. "Threshold Crossed: 3 datapoints [81.2 (…), …] were greater than the threshold (50.0)." */
  reason: string;
  /** The latest datapoint value the evaluation saw, when there was one. */
  value?: number;
  /**
   * The alarm's Threshold (CloudWatch's StateReasonData.threshold). Step scaling picks its step by
   * `value − threshold`; when absent, the invoker reads it from `reason` ("… the threshold (50.0).").
   */
  threshold?: number;
  /** When the evaluation ran (ms since epoch). */
  at: number;
}

export interface AlarmActionInvoker {
  /** The action ARN prefix this invoker answers for, e.g. "arn:aws:autoscaling:". */
  readonly arnPrefix: string;
  invoke(event: AlarmActionEvent): Promise<void>;
}

/** One alarm's state and evaluation window, as ECS's deployment alarms read it. */
export interface AlarmStateView {
  name: string;
  state: "OK" | "ALARM" | "INSUFFICIENT_DATA";
  /** Period (s); absent for metric-math alarms (their periods are per query). */
  periodS?: number;
  evaluationPeriods: number;
}

/**
 * How ECS's deployment alarms (`deploymentConfiguration.alarms`) read CloudWatch: the named
 * alarms that exist (names that do not are left out). Alarm writes are store writes of kind
 * `cw-alarm` (id `ACCOUNT:REGION:NAME`); the service controller's triggers watch those to look
 * at the services naming the alarm again.
 */
export interface AlarmStateReader {
  alarmStates(accountId: string, region: string, names: readonly string[]): AlarmStateView[];
}
