import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import SpaceBetween from "@cloudscape-design/components/space-between";
import Table from "@cloudscape-design/components/table";
import { useEffect, useState } from "react";
import type { ExplainOutput } from "../../../src/contracts/internal-routes";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { shortArn } from "../ListTable";

/** The RunTask input `/_wharf/explain` takes (cluster, task definition, network configuration…). */
export type ExplainInput = Record<string, unknown> & { cluster: string; taskDefinition: string };

/**
 * "Why isn't it running": Wharf's placement explanation (`POST /_wharf/explain`, signed) — per
 * container instance the rule that rejected it and how short it fell, or its rank.
 */
export function Explain({ input, auto = false }: { input: ExplainInput; auto?: boolean }) {
  const api = useApi();
  const [answer, setAnswer] = useState<ExplainOutput>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const ask = async () => {
    setBusy(true);
    try {
      setAnswer(await api.internal<ExplainOutput>("/_wharf/explain", input));
      setError(undefined);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const key = JSON.stringify(input);
  useEffect(() => {
    if (auto) void ask();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [auto, key]);
  return (
    <div data-testid="explain">
      <Container
        header={
          <Header variant="h2" description="Where this task would be placed, and why not elsewhere (nothing is started)." actions={<Button onClick={() => void ask()} loading={busy}>Why isn't it running?</Button>}>
            Placement
          </Header>
        }
      >
        <SpaceBetween size="s">
          {error && <Alert type="error">{error}</Alert>}
          {answer && (
            <>
              <Box>
                Each task needs {answer.task.cpu} CPU units and {answer.task.memory} MiB. Would place <b>{answer.placements.length} of {answer.count}</b> task{answer.count === 1 ? "" : "s"} in {shortArn(answer.cluster)}.
              </Box>
              {answer.unplaced > 0 && (
                <Alert type="warning" header={`${answer.unplaced} task${answer.unplaced === 1 ? "" : "s"} cannot be placed`}>
                  {answer.instances.length === 0
                    ? "The cluster has no ACTIVE container instance: start an agent (wharf agent) or register capacity."
                    : answer.failures.map((f) => `${shortArn(f.arn)}: ${f.reason}`).join("; ")}
                </Alert>
              )}
              <Table
                variant="embedded"
                items={answer.instances}
                columnDefinitions={[
                  { id: "ci", header: "Container instance", cell: (v) => shortArn(v.arn) },
                  { id: "ec2", header: "Instance ID", cell: (v) => v.ec2InstanceId ?? "-" },
                  { id: "verdict", header: "Verdict", cell: (v) => (v.verdict === "eligible" ? `eligible, rank ${v.rank ?? "-"}` : "rejected") },
                  { id: "why", header: "Why / scores", cell: (v) => (v.verdict === "rejected" ? `${v.reason ?? ""}: ${v.detail ?? ""}` : (v.scores ?? []).join(", ") || "-") },
                ]}
                empty="No ACTIVE or DRAINING container instance."
              />
            </>
          )}
        </SpaceBetween>
      </Container>
    </div>
  );
}
