import { EcsApiError, WharfClient } from "../contracts/wharf-client.js";
import { type ContainerStateReport, type Reporter, ReportRejected, type TaskStateReport } from "./task-engine/reporter.js";

export { type ApiCredentials, EcsApiError } from "../contracts/wharf-client.js";

/** Client errors that retrying cannot fix; everything else (5xx, throttling, network) is retried. */
const PERMANENT = new Set(["ClientException", "InvalidParameterException", "ClusterNotFoundException", "AccessDeniedException"]);

/** The agent's side of the wire: Wharf's client, plus the task and container reports it submits. */
export class EcsAgentApi extends WharfClient implements Reporter {
  async submitTaskStateChange(report: TaskStateReport): Promise<void> {
    await this.report("SubmitTaskStateChange", report as unknown as Record<string, unknown>);
  }

  async submitContainerStateChange(report: ContainerStateReport): Promise<void> {
    await this.report("SubmitContainerStateChange", report as unknown as Record<string, unknown>);
  }

  private async report(op: string, body: Record<string, unknown>): Promise<void> {
    try {
      await this.call(op, body);
    } catch (err) {
      if (err instanceof EcsApiError && err.statusCode < 500 && PERMANENT.has(err.code)) {
        throw new ReportRejected(err.message);
      }
      throw err;
    }
  }
}
