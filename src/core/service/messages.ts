/**
 * ECS's service event and reason texts, byte for byte where public traces show them
 * (describe-services output quoted in issues, blogs and tests). One place, so the
 * scheduler, the controller and the tests agree.
 */

const taskId = (arnOrId: string) => arnOrId.slice(arnOrId.lastIndexOf("/") + 1);
const taskList = (arns: string[]) => arns.map((a) => `(task ${taskId(a)})`).join(" ");

export const msg = {
  steadyState: (svc: string) => `(service ${svc}) has reached a steady state.`,
  startedTasks: (svc: string, arns: string[]) => `(service ${svc}) has started ${arns.length} tasks: ${taskList(arns)}.`,
  stoppedTasks: (svc: string, arns: string[]) =>
    `(service ${svc}) has stopped ${arns.length} running tasks: ${taskList(arns)}.`,
  deploymentCompleted: (svc: string, dep: string) => `(service ${svc}) (deployment ${dep}) deployment completed.`,
  deploymentFailed: (svc: string, dep: string) =>
    `(service ${svc}) (deployment ${dep}) deployment failed: tasks failed to start.`,
  rollingBack: (svc: string, dep: string) => `(service ${svc}) rolling back to deployment ${dep}.`,
  /** Wharf's wording, after the circuit breaker's (ECS's own text for an alarm failure is not in public traces). */
  deploymentFailedAlarms: (svc: string, dep: string, alarms: string[]) =>
    `(service ${svc}) (deployment ${dep}) deployment failed: alarm detected (${alarms.join(", ")}).`,
  /** Wharf's wording for StopServiceDeployment (ROLLBACK). */
  deploymentStopped: (svc: string, dep: string) => `(service ${svc}) (deployment ${dep}) deployment stopped: rollback requested.`,
  failedHealthChecks: (svc: string, arn: string) => `(service ${svc}) (task ${taskId(arn)}) failed container health checks.`,
  unableToStartConsistently: (svc: string) =>
    `(service ${svc}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
  /** `detail` is e.g. "The closest matching (container-instance ID) has insufficient memory available." */
  unableToPlace: (svc: string, detail?: string) =>
    `(service ${svc}) was unable to place a task because no container instance met all of its requirements.` +
    (detail ? ` ${detail}` : "") +
    " For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
};

/** Deployment `rolloutStateReason` texts. */
export const rolloutReason = {
  inProgress: (dep: string) => `ECS deployment ${dep} in progress.`,
  completed: (dep: string) => `ECS deployment ${dep} completed.`,
  failed: () => "ECS deployment circuit breaker: tasks failed to start.",
  /** The reason of a rollback deployment; after the circuit breaker's, the alarm and stop texts are Wharf's. */
  rollingBack: (completedDep: string, cause: "circuitBreaker" | "alarms" | "user" = "circuitBreaker") =>
    `${cause === "circuitBreaker" ? "ECS deployment circuit breaker" : cause === "alarms" ? "ECS deployment alarms" : "StopServiceDeployment"}: rolling back to deploymentId ${completedDep}.`,
  alarmsFailed: (alarms: string[]) => `ECS deployment alarms: alarm(s) in ALARM state: ${alarms.join(", ")}.`,
  stopped: () => "Service deployment stopped by StopServiceDeployment (ROLLBACK).",
};

/** Task `stoppedReason` texts the scheduler writes (stopCode ServiceSchedulerInitiated). */
export const stopReason = {
  scaling: (dep: string) => `Scaling activity initiated by (deployment ${dep})`,
  unhealthy: () => "Task failed container health checks",
};
