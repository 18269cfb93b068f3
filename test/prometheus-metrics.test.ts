import { CreateClusterCommand, DescribeServicesCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

/** GET /metrics: Wharf's own health in Prometheus' text format, from real API calls. */
describe("GET /metrics (prom-client)", () => {
  let w: TestWharf;
  before(async () => {
    w = await startTestWharf({ server: { serviceController: false, lbDataPlane: false, registry: false } });
  });
  after(async () => w?.close());

  it("counts requests by operation and outcome, has the latency histogram, placements, agents and the queue depth", async () => {
    await w.ecs.send(new CreateClusterCommand({ clusterName: "prom" }));
    await w.ecs.send(new ListClustersCommand({}));
    await w.ecs.send(new ListClustersCommand({}));
    await assert.rejects(w.ecs.send(new DescribeServicesCommand({ cluster: "nope", services: ["x"] })));
    const res = await fetch(`${w.server.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^wharf_api_requests_total\{service="ecs",operation="ListClusters",outcome="ok"\} 2$/m);
    assert.match(text, /^wharf_api_requests_total\{service="ecs",operation="CreateCluster",outcome="ok"\} 1$/m);
    assert.match(text, /^wharf_api_requests_total\{service="ecs",operation="DescribeServices",outcome="ClusterNotFoundException"\} 1$/m);
    assert.match(text, /^wharf_api_request_duration_seconds_count\{service="ecs",operation="ListClusters"\} 2$/m);
    assert.match(text, /^wharf_api_request_duration_seconds_bucket\{le="\+Inf",service="ecs",operation="ListClusters"\} 2$/m);
    assert.match(text, /^wharf_task_placements_total 0$/m);
    assert.match(text, /^# TYPE wharf_task_placement_failures_total counter$/m);
    assert.match(text, /^wharf_agents_connected 0$/m);
    assert.match(text, /^wharf_reconcile_queue_depth 0$/m);
  });
});
