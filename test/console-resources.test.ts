import { RegisterInstanceCommand, UpdateInstanceCustomHealthStatusCommand } from "@aws-sdk/client-servicediscovery";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { AccessLogEntry } from "../src/edge/access-log.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { cloudMap, createRegistry } from "./helpers/cloud-map.js";
import { ConsoleBrowser, consoleSkip } from "./helpers/console-browser.js";
import { createLoadBalancer, defaultSubnets, type LbSetup } from "./helpers/lb-setup.js";
import { DOCKER_MANIFEST, pushImageBlobs, RegistryHttp } from "./helpers/registry-http.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The console's read-only screens for the APIs around ECS (docs/console.md) in real Chromium:
 * each resource made with the real `aws` CLI (or the SDK, or the registry's HTTP API as `docker
 * push` speaks it), each screen opened by its hash, what the page shows compared with what the
 * API answers. Screenshots with WHARF_CONSOLE_SCREENSHOTS=1. No unsigned call.
 */
describe("console: load balancers, Cloud Map, ECR, IAM roles, service auto scaling", { skip: consoleSkip, timeout: 300_000 }, () => {
  const w = new AgentWorld();
  const access: AccessLogEntry[] = [];
  let b: ConsoleBrowser;
  let lb: LbSetup;
  const id = hex(3);
  const lbName = `con-${id}`;
  const service = `web-${id}`;

  before(async () => {
    await w.start("console-res", { accessLog: (e) => access.push(e) });
    b = await new ConsoleBrowser(w.h.server.url, access).launch();
    await b.signIn(w.h.server.credentials);
  });
  after(async () => {
    await b?.close();
    await w.close();
  });

  it("lists load balancers and shows one's listeners, rules and target groups", async () => {
    lb = await createLoadBalancer(w.h, lbName, {
      targetType: "ip",
      port: 8080,
      healthCheck: ["--health-check-interval-seconds", "5", "--health-check-timeout-seconds", "2", "--unhealthy-threshold-count", "2"],
    });
    await w.h.aws("elbv2", "create-rule", "--listener-arn", lb.listenerArn, "--priority", "10", "--conditions", "Field=path-pattern,Values=/old/*",
      "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=410,ContentType=text/plain,MessageBody=gone}");
    await b.open("#/load-balancers");
    const row = b.page.getByTestId("load-balancers").getByRole("row").filter({ hasText: lbName });
    await row.getByText(lb.dnsName).waitFor();
    const [described] = (await w.h.aws("elbv2", "describe-load-balancers", "--names", lbName)).LoadBalancers;
    for (const text of [described.State.Code, described.Scheme, described.Type]) await row.getByText(text, { exact: true }).waitFor();
    await b.shot("load-balancers");
    await row.getByRole("link", { name: lbName, exact: true }).click();
    await b.heading(lbName).waitFor();
    const listener = b.page.getByTestId(`listener-${lb.listenerPort}`);
    await listener.getByText(`Listener HTTP:${lb.listenerPort}`).waitFor();
    await listener.getByText("path-pattern: /old/*").waitFor();
    await listener.getByText('fixed-response 410 "gone"').waitFor();
    await listener.getByText(`forward to ${lbName}-tg`).waitFor();
    await b.page.getByTestId("target-groups").getByRole("link", { name: `${lbName}-tg`, exact: true }).waitFor();
    await b.shot("load-balancer");
  });

  it("shows each target's health as DescribeTargetHealth gives it: state, reason code, description", async () => {
    const [base] = w.h.defaultVpcCidr.split(".0.0/");
    const silent = `${base}.0.41`;
    await w.h.aws("elbv2", "register-targets", "--target-group-arn", lb.targetGroupArn, "--targets", `Id=${silent}`);
    // No task of ours serves it: its health checks fail until it is unhealthy (the reason is whatever the API says).
    const health = await waitFor(async () => {
      const d = (await w.h.aws("elbv2", "describe-target-health", "--target-group-arn", lb.targetGroupArn)).TargetHealthDescriptions as { Target: { Id: string }; TargetHealth: { State: string; Reason?: string; Description?: string } }[];
      return d.find((x) => x.Target.Id === silent)?.TargetHealth.State === "unhealthy" && d;
    }, { what: `${silent} unhealthy`, timeoutMs: 60_000, intervalMs: 500 });
    await b.open(`#/target-groups/${lbName}-tg`);
    await b.heading(`${lbName}-tg`).waitFor();
    for (const d of health) {
      const row = b.page.getByTestId("target-health").getByRole("row").filter({ hasText: d.Target.Id });
      await row.getByText(d.TargetHealth.State, { exact: true }).waitFor();
      await row.getByText(d.TargetHealth.Reason!, { exact: true }).waitFor();
      await row.getByText(d.TargetHealth.Description!, { exact: true }).waitFor();
    }
    assert.deepEqual(health.map((d) => [d.Target.Id, d.TargetHealth.State]), [[silent, "unhealthy"]]);
    assert.ok(health[0]!.TargetHealth.Reason && health[0]!.TargetHealth.Description, "an unhealthy target says why");
    await b.shot("target-group");
  });

  it("shows a service's target groups (linked) and its scalable target, policies and scaling activities", async () => {
    await w.h.aws("ecs", "register-task-definition", "--family", `con-web-${id}`, "--network-mode", "awsvpc",
      "--container-definitions", JSON.stringify([{ name: "web", image: "wharf-test/busybox:latest", memory: 32, portMappings: [{ containerPort: 8080 }] }]));
    const subnets = await defaultSubnets(w.h, 1);
    await w.h.aws("ecs", "create-service", "--cluster", w.cluster, "--service-name", service, "--task-definition", `con-web-${id}`, "--desired-count", "0",
      "--network-configuration", `awsvpcConfiguration={subnets=[${subnets.join(",")}]}`,
      "--load-balancers", `targetGroupArn=${lb.targetGroupArn},containerName=web,containerPort=8080`);
    const resourceId = `service/${w.cluster}/${service}`;
    const dim = ["--service-namespace", "ecs", "--scalable-dimension", "ecs:service:DesiredCount", "--resource-id", resourceId];
    await w.h.aws("application-autoscaling", "register-scalable-target", ...dim, "--min-capacity", "0", "--max-capacity", "4");
    await w.h.aws("application-autoscaling", "put-scaling-policy", ...dim, "--policy-name", "cpu50", "--policy-type", "TargetTrackingScaling",
      "--target-tracking-scaling-policy-configuration", JSON.stringify({ TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } }));
    // Raising the minimum above the desired count scales the service out: one activity.
    await w.h.aws("application-autoscaling", "register-scalable-target", ...dim, "--min-capacity", "1", "--max-capacity", "4");
    const activities = await waitFor(async () => {
      const a = (await w.h.aws("application-autoscaling", "describe-scaling-activities", "--service-namespace", "ecs", "--resource-id", resourceId)).ScalingActivities as { Description: string; StatusCode: string }[];
      return a.length > 0 && a;
    }, { what: "a scaling activity", timeoutMs: 30_000, intervalMs: 250 });
    await b.open(`#/clusters/${w.cluster}/services/${service}`);
    await b.heading(service).waitFor();
    const scaling = b.page.getByTestId("scaling");
    await scaling.getByTestId("scaling-min").getByText("1", { exact: true }).waitFor();
    await scaling.getByTestId("scaling-max").getByText("4", { exact: true }).waitFor();
    const policy = scaling.getByTestId("scaling-policies").getByRole("row").filter({ hasText: "cpu50" });
    await policy.getByText("keep ECSServiceAverageCPUUtilization at 50").waitFor();
    await policy.getByText(/TargetTracking-/).waitFor(); // the alarms Application Auto Scaling made for it
    await scaling.getByTestId("scaling-activities").getByText(activities[0]!.Description, { exact: true }).waitFor();
    await b.shot("service-scaling");
    await b.page.getByRole("link", { name: `${lbName}-tg`, exact: true }).click();
    await b.heading(`${lbName}-tg`).waitFor();
  });

  it("lists Cloud Map namespaces, a namespace's services and a service's instances with health", async () => {
    const ns = `con-${id}.local`;
    const reg = await createRegistry(w.h, "api", ["A"], { namespace: ns, customHealth: true });
    const sd = cloudMap(w.h);
    for (const [instance, ip] of [["i-one", "10.9.0.1"], ["i-two", "10.9.0.2"]] as const) {
      await sd.send(new RegisterInstanceCommand({ ServiceId: reg.id, InstanceId: instance, Attributes: { AWS_INSTANCE_IPV4: ip, AWS_INSTANCE_PORT: "8080", team: "dogs" } }));
    }
    await sd.send(new UpdateInstanceCustomHealthStatusCommand({ ServiceId: reg.id, InstanceId: "i-two", Status: "UNHEALTHY" }));
    sd.destroy();
    const status = await waitFor(async () => {
      const s = (await w.h.aws("servicediscovery", "get-instances-health-status", "--service-id", reg.id)).Status as Record<string, string>;
      return s["i-two"] === "UNHEALTHY" && s;
    }, { what: "i-two UNHEALTHY", timeoutMs: 10_000, intervalMs: 200 });
    await b.open("#/namespaces");
    await b.page.getByTestId("namespaces").getByRole("link", { name: ns, exact: true }).click();
    await b.heading(ns).waitFor();
    await b.page.getByTestId("cloud-map-services").getByRole("link", { name: "api", exact: true }).click();
    await b.heading("api").waitFor();
    for (const [instance, ip] of [["i-one", "10.9.0.1"], ["i-two", "10.9.0.2"]] as const) {
      const row = b.page.getByTestId("cloud-map-instances").getByRole("row").filter({ hasText: instance });
      await row.getByText(status[instance]!, { exact: true }).waitFor();
      await row.getByText(ip, { exact: true }).waitFor();
      await row.getByText("team=dogs").waitFor();
    }
    await b.shot("cloud-map");
  });

  it("lists ECR repositories and a repository's images: tags, digest, size, pushed at", async () => {
    const repo = `console/${id}`;
    await w.h.aws("ecr", "create-repository", "--repository-name", repo);
    const token = Buffer.from((await w.h.aws("ecr", "get-authorization-token")).authorizationData[0].authorizationToken, "base64").toString("utf8");
    const r = new RegistryHttp(w.h.server.registryHost!, token.slice(4));
    const img = await pushImageBlobs(r, repo, id);
    assert.equal((await r.putManifest(repo, "v1", img.manifest, DOCKER_MANIFEST)).status, 201);
    assert.equal((await r.putManifest(repo, "latest", img.manifest, DOCKER_MANIFEST)).status, 201);
    const [image] = (await w.h.aws("ecr", "describe-images", "--repository-name", repo)).imageDetails;
    await b.open("#/repositories");
    await b.page.getByTestId("repositories").getByRole("link", { name: repo, exact: true }).click();
    await b.heading(repo).waitFor();
    const row = b.page.getByTestId("images").getByRole("row").filter({ hasText: image.imageDigest });
    await row.getByText([...image.imageTags].join(", "), { exact: true }).waitFor();
    await row.getByText(`${(image.imageSizeInBytes / 1024).toFixed(2)} KB`, { exact: true }).waitFor();
    await b.shot("ecr-images");
  });

  it("shows an IAM role's trust policy, attached and inline policies", async () => {
    const role = `console-role-${id}`;
    const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] };
    await w.h.aws("iam", "create-role", "--role-name", role, "--assume-role-policy-document", JSON.stringify(trust));
    await w.h.aws("iam", "attach-role-policy", "--role-name", role, "--policy-arn", "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy");
    const inline = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::dogs/*" }] };
    await w.h.aws("iam", "put-role-policy", "--role-name", role, "--policy-name", "read-dogs", "--policy-document", JSON.stringify(inline));
    await b.open("#/roles");
    await b.page.getByTestId("roles").getByRole("link", { name: role, exact: true }).click();
    await b.heading(role).waitFor();
    const shown = JSON.parse(await b.page.getByTestId("trust-policy").innerText());
    assert.deepEqual(shown, trust);
    await b.page.getByTestId("attached-policies").getByText("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", { exact: true }).waitFor();
    const inlineBox = b.page.getByTestId("inline-policies");
    await inlineBox.getByText("read-dogs", { exact: true }).waitFor();
    assert.deepEqual(JSON.parse(await inlineBox.locator("pre").first().innerText()), inline);
    await b.shot("iam-role");
  });

  it("made every call signed and logged no console error", () => {
    b.assertAllSigned([
      "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetHealth",
      "servicediscovery:ListInstances", "servicediscovery:GetInstancesHealthStatus", "ecr:DescribeImages", "iam:GetRole", "iam:GetRolePolicy",
      "application-autoscaling:DescribeScalingActivities",
    ]);
  });
});
