import type { CooldownMemory } from "../../core/autoscaling/capacity.js";
import type { TargetTrackingConfig } from "../../core/autoscaling/target-tracking.js";

/*
 * What Application Auto Scaling stores (kinds `aas-*`, scope `<account>:<region>`), each its AWS
 * shape (times in ms since epoch) plus Wharf's side.
 */

export interface SuspendedState {
  DynamicScalingInSuspended?: boolean;
  DynamicScalingOutSuspended?: boolean;
  ScheduledScalingSuspended?: boolean;
}

/** kind `aas-target`, id = targetKey(...). */
export interface TargetDoc {
  accountId: string;
  region: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  MinCapacity: number;
  MaxCapacity: number;
  RoleARN: string;
  CreationTime: number;
  SuspendedState: SuspendedState;
  ScalableTargetARN: string;
  tags: Record<string, string>;
}

export interface StepScalingConfig {
  AdjustmentType?: "ChangeInCapacity" | "PercentChangeInCapacity" | "ExactCapacity";
  StepAdjustments?: { MetricIntervalLowerBound?: number; MetricIntervalUpperBound?: number; ScalingAdjustment: number }[];
  MinAdjustmentMagnitude?: number;
  Cooldown?: number;
  MetricAggregationType?: "Average" | "Minimum" | "Maximum";
}

/** kind `aas-policy`, id = `<target key>|<policy name>`. */
export interface PolicyDoc {
  accountId: string;
  region: string;
  targetKey: string;
  PolicyARN: string;
  PolicyName: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  PolicyType: "StepScaling" | "TargetTrackingScaling";
  StepScalingPolicyConfiguration?: StepScalingConfig;
  TargetTrackingScalingPolicyConfiguration?: TargetTrackingConfig;
  /** The alarms this policy owns (target tracking). */
  Alarms: { AlarmName: string; AlarmARN: string }[];
  CreationTime: number;
  /** Cooldown memory of this policy's scaling moves. */
  memory: CooldownMemory;
}

/** kind `aas-scheduled-action`, id = `<target key>|<action name>`. */
export interface ScheduledActionDoc {
  accountId: string;
  region: string;
  targetKey: string;
  ScheduledActionName: string;
  ScheduledActionARN: string;
  ServiceNamespace: string;
  Schedule: string;
  Timezone?: string;
  ResourceId: string;
  ScalableDimension: string;
  StartTime?: number;
  EndTime?: number;
  ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number };
  CreationTime: number;
  /** Runs up to this instant have been considered (the scheduler's cursor). */
  checkedUntil: number;
  lastRunAt?: number;
}

/** kind `aas-activity`, id = ActivityId, sort = `<StartTime padded>|<id>`. */
export interface ActivityDoc {
  accountId: string;
  region: string;
  ActivityId: string;
  ServiceNamespace: string;
  ResourceId: string;
  ScalableDimension: string;
  Description: string;
  Cause: string;
  StartTime: number;
  EndTime?: number;
  StatusCode: "Pending" | "InProgress" | "Successful" | "Overridden" | "Unfulfilled" | "Failed";
  StatusMessage?: string;
  NotScaledReasons?: { Code: string; MaxCapacity?: number; MinCapacity?: number; CurrentCapacity?: number }[];
}
