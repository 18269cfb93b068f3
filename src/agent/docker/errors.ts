/**
 * Named errors of the agent's Docker layer. The `Cannot…Error` names are the prefixes ECS puts in a
 * container's `reason` and a task's `stoppedReason`, so `${err.name}: ${err.message}` is what users see.
 */

/** Docker answered with an HTTP error status; `statusCode` lets callers tell 404 from 409 from 500. */
export class DockerApiError extends Error {
  override name = "DockerApiError";
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** No Docker Engine answers at the configured address. The message says what to do about it. */
export class DockerUnavailable extends Error {
  override name = "DockerUnavailable";
  constructor(
    readonly where: string,
    /** The low-level reason (ENOENT, ECONNREFUSED, …), kept out of the message users act on. */
    readonly reason?: string,
  ) {
    super(
      `No Docker Engine answers on ${where}; start one ` +
        "(e.g. `bash scripts/ensure-docker.sh`, or `dockerd &`) or pass --docker-host",
    );
  }
}

export class CannotPullContainerError extends Error {
  override name = "CannotPullContainerError";
}
export class CannotCreateContainerError extends Error {
  override name = "CannotCreateContainerError";
}
export class CannotStartContainerError extends Error {
  override name = "CannotStartContainerError";
}
export class CannotStopContainerError extends Error {
  override name = "CannotStopContainerError";
}
export class CannotInspectContainerError extends Error {
  override name = "CannotInspectContainerError";
}

/** Docker's messages as the docker CLI (and so ECS) prints them. */
export const daemonMessage = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err);
  return err instanceof DockerApiError ? `Error response from daemon: ${msg}` : msg;
};
