import StatusIndicator, { type StatusIndicatorProps } from "@cloudscape-design/components/status-indicator";

/** An ECS status (task, container, deployment, instance) as the console shows it. */
export function Status({ value }: { value: string | undefined }) {
  const v = value ?? "-";
  const type: StatusIndicatorProps.Type =
    /^(RUNNING|ACTIVE|HEALTHY|COMPLETED|PRIMARY|SUCCESSFUL|ok)$/i.test(v)
      ? "success"
      : /^(PENDING|PROVISIONING|ACTIVATING|IN_PROGRESS|DRAINING|DEACTIVATING|STOPPING|DEPROVISIONING|UNKNOWN)$/i.test(v)
        ? "in-progress"
        : /^(FAILED|UNHEALTHY|ROLLBACK_FAILED|INACTIVE)$/i.test(v)
          ? "error"
          : /^(STOPPED|DELETED|ROLLED_BACK|STOP_REQUESTED)$/i.test(v)
            ? "stopped"
            : "info";
  return <StatusIndicator type={type}>{v}</StatusIndicator>;
}
