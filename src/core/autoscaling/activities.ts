/*
 * The texts of scaling activities, as Application Auto Scaling writes them for ECS services
 * (DescribeScalingActivities' Description, Cause and StatusMessage).
 */

export const describeSetting = (n: number): string => `Setting desired count to ${n}.`;
export const describeAttempt = (n: number): string => `Attempting to set desired count to ${n}.`;
export const succeeded = (n: number): string => `Successfully set desired count to ${n}. Change successfully fulfilled by ecs.`;
export const failed = (n: number, reason: string): string => `Failed to set desired count to ${n}. Reason: ${reason}`;

export const causeAlarm = (alarmName: string, state: string, policyName: string): string =>
  `monitor alarm ${alarmName} in state ${state} triggered policy ${policyName}`;
export const causeScheduled = (name: string): string => `scheduled action name ${name} was triggered`;
export const causeMinimum = (min: number): string => `minimum capacity was set to ${min}`;
export const causeMaximum = (max: number): string => `maximum capacity was set to ${max}`;
