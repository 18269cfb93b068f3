import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The ELBv2 API and its data plane together, as a user meets them with the `aws` CLI: a
 * Wharf with its own HAProxy (the server's default data plane), an application load balancer,
 * an `ip` target group of two real HTTP backends, a listener — and requests through the load
 * balancer's address reach both backends once DescribeTargetHealth says healthy, a path rule
 * answers on its own, and a deregistered target drains out of the rotation.
 */
describe("ELBv2 end to end: the API drives a real listener (aws CLI, HAProxy, HTTP backends)", { timeout: 180_000 }, () => {
  let h: TestWharf;
  const backends: Server[] = [];
  const ports: number[] = [];
  let subnets: string[] = [];

  before(async () => {
    for (const name of ["blue", "green"]) {
      const s = createServer((req, res) => {
        res.setHeader("content-type", "text/plain");
        res.end(`${name} ${req.headers["x-forwarded-for"] ?? "-"} ${req.headers["x-amzn-trace-id"] ?? "-"}`);
      });
      backends.push(s);
      await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
      ports.push((s.address() as AddressInfo).port);
    }
    h = await startTestWharf({ server: { serviceController: false } });
    const out = await h.aws("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true");
    subnets = out.Subnets.map((s: { SubnetId: string }) => s.SubnetId).slice(0, 2);
  });
  after(async () => {
    await h?.close();
    for (const s of backends) await new Promise<void>((r) => s.close(() => r()));
  });

  const get = async (url: string) => {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  };

  it("routes to healthy targets, follows a rule, and drains a deregistered target", async () => {
    const lb = (await h.aws("elbv2", "create-load-balancer", "--name", "e2e", "--subnets", ...subnets)).LoadBalancers[0];
    const address: string = lb.AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress;
    assert.ok(address.startsWith(`${h.lbAddressPrefix}.`), address);
    const vpc = lb.VpcId;
    const tg = (
      await h.aws(
        "elbv2", "create-target-group", "--name", "e2e-web", "--protocol", "HTTP", "--port", "80", "--vpc-id", vpc,
        "--target-type", "ip", "--health-check-path", "/", "--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2",
        "--healthy-threshold-count", "2",
      )
    ).TargetGroups[0];
    await h.aws("elbv2", "modify-target-group-attributes", "--target-group-arn", tg.TargetGroupArn, "--attributes", "Key=deregistration_delay.timeout_seconds,Value=5");
    await h.aws("elbv2", "register-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", `Id=127.0.0.1,Port=${ports[0]}`, `Id=127.0.0.1,Port=${ports[1]}`);
    const listener = (
      await h.aws("elbv2", "create-listener", "--load-balancer-arn", lb.LoadBalancerArn, "--protocol", "HTTP", "--port", "8080",
        "--default-actions", `Type=forward,TargetGroupArn=${tg.TargetGroupArn}`)
    ).Listeners[0];

    const health = async () =>
      (await h.aws("elbv2", "describe-target-health", "--target-group-arn", tg.TargetGroupArn)).TargetHealthDescriptions.map(
        (d: { Target: { Port: number }; TargetHealth: { State: string } }) => `${d.Target.Port}:${d.TargetHealth.State}`,
      ).sort();
    await waitFor(async () => ((await health()).every((s: string) => s.endsWith(":healthy")) ? true : undefined), {
      what: "both targets healthy in describe-target-health",
      timeoutMs: 60_000,
    });

    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = await get(`http://${address}:8080/`);
      assert.equal(r.status, 200);
      const [name, xff, trace] = r.body.split(" ");
      seen.add(name!);
      assert.equal(xff, "127.0.0.1", "X-Forwarded-For names the client");
      assert.match(trace!, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    }
    assert.deepEqual([...seen].sort(), ["blue", "green"], "round robin reaches both targets");

    await h.aws("elbv2", "create-rule", "--listener-arn", listener.ListenerArn, "--priority", "10",
      "--conditions", "Field=path-pattern,Values=/api/*",
      "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=200,ContentType=text/plain,MessageBody=api}");
    await waitFor(async () => ((await get(`http://${address}:8080/api/x`)).body === "api" ? true : undefined), { what: "the /api/* rule in effect" });
    assert.notEqual((await get(`http://${address}:8080/other`)).body, "api");

    await h.aws("elbv2", "deregister-targets", "--target-group-arn", tg.TargetGroupArn, "--targets", `Id=127.0.0.1,Port=${ports[0]}`);
    await waitFor(async () => ((await health()).length === 1 ? true : undefined), { what: "the drained target gone from describe-target-health", timeoutMs: 30_000 });
    for (let i = 0; i < 6; i++) assert.match((await get(`http://${address}:8080/`)).body, /^green /, "only the registered target serves");

    await h.aws("elbv2", "delete-listener", "--listener-arn", listener.ListenerArn);
    await h.server.lb.idle();
    await assert.rejects(fetch(`http://${address}:8080/`), "nothing listens once the listener is deleted");
    await h.aws("elbv2", "delete-target-group", "--target-group-arn", tg.TargetGroupArn);
    await h.aws("elbv2", "delete-load-balancer", "--load-balancer-arn", lb.LoadBalancerArn);
  });
});
