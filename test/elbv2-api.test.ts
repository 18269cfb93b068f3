import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { signedQuery } from "./helpers/signed-query.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";
import { RecordingLbPlane } from "./helpers/recording-lb-plane.js";
import { waitFor } from "./helpers/wait.js";

/**
 * The ELBv2 API as a user meets it: the real `aws elbv2` CLI and
 * @aws-sdk/client-elastic-load-balancing-v2 against a running Wharf whose data plane is a
 * recording stand-in. A VPC with two subnets from the EC2 API carries an application load
 * balancer, an `ip` target group, an HTTP listener and path rules; every refusal answers ELB's
 * code; the desired state the data plane receives follows each change.
 */
describe("ELBv2 API (SDK and aws CLI)", () => {
  let h: TestWharf;
  let elb: ElasticLoadBalancingV2Client;
  const plane = new RecordingLbPlane();
  let vpcId = "";
  let subnetA = "";
  let subnetB = "";
  let lbArn = "";
  let tgArn = "";
  let apiTgArn = "";
  let listenerArn = "";
  const code = (p: Promise<unknown>) =>
    p.then(
      () => "(no error)",
      (e: { name: string; message: string }) => `${e.name}: ${e.message}`,
    );

  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: plane } });
    elb = new ElasticLoadBalancingV2Client({ endpoint: h.server.url, region: "us-east-1", credentials: h.server.credentials, maxAttempts: 1 });
    vpcId = (await h.aws("ec2", "create-vpc", "--cidr-block", "10.40.0.0/16")).Vpc.VpcId;
    subnetA = (await h.aws("ec2", "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.40.1.0/24", "--availability-zone", "us-east-1a")).Subnet.SubnetId;
    subnetB = (await h.aws("ec2", "create-subnet", "--vpc-id", vpcId, "--cidr-block", "10.40.2.0/24", "--availability-zone", "us-east-1b")).Subnet.SubnetId;
  });
  after(async () => {
    elb?.destroy();
    await h?.close();
  });

  it("creates an application load balancer in two zones, provisioning then active, with its own loopback address", async () => {
    const one = await h.awsError("elbv2", "create-load-balancer", "--name", "web", "--subnets", subnetA);
    assert.equal(one.code, "ValidationError");
    assert.match(one.stderr, /At least two subnets in two different Availability Zones must be specified/);
    const created = await h.aws("elbv2", "create-load-balancer", "--name", "web", "--subnets", subnetA, subnetB, "--tags", "Key=team,Value=web");
    const lb = created.LoadBalancers[0];
    lbArn = lb.LoadBalancerArn;
    assert.match(lbArn, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.equal(lb.State.Code, "provisioning");
    assert.equal(lb.Type, "application");
    assert.equal(lb.Scheme, "internet-facing");
    assert.equal(lb.VpcId, vpcId);
    assert.match(lb.DNSName, /^web-\d+\.us-east-1\.elb\.localhost$/);
    assert.deepEqual(lb.AvailabilityZones.map((z: { ZoneName: string }) => z.ZoneName).sort(), ["us-east-1a", "us-east-1b"]);
    const address = lb.AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress;
    assert.ok(address.startsWith(`${h.lbAddressPrefix}.`) && /^127\.\d+\.\d+\.\d+$/.test(address), address);
    assert.equal(lb.SecurityGroups.length, 1, "the VPC's default group when none is given");
    const again = await h.aws("elbv2", "create-load-balancer", "--name", "web", "--subnets", subnetA, subnetB);
    assert.equal(again.LoadBalancers[0].LoadBalancerArn, lbArn, "the same call again answers the same load balancer");
    const dup = await h.awsError("elbv2", "create-load-balancer", "--name", "web", "--subnets", subnetA, subnetB, "--scheme", "internal");
    assert.equal(dup.code, "DuplicateLoadBalancerName");
    const { LoadBalancers } = await h.aws("elbv2", "describe-load-balancers", "--names", "web");
    assert.equal(LoadBalancers[0].State.Code, "active");
    const other = await h.aws("elbv2", "create-load-balancer", "--name", "edge", "--type", "network", "--subnets", subnetA);
    assert.notEqual(other.LoadBalancers[0].AvailabilityZones[0].LoadBalancerAddresses[0].IpAddress, address, "each load balancer binds its own address");
    assert.match(other.LoadBalancers[0].LoadBalancerArn, /:loadbalancer\/net\/edge\//);
    const missing = await h.awsError("elbv2", "describe-load-balancers", "--names", "nope");
    assert.equal(missing.code, "LoadBalancerNotFound");
    assert.match(missing.stderr, /Load balancers '\[nope\]' not found/);
    assert.equal(
      await code(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ["arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x"] }))),
      "ValidationError: 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/x' is not a valid load balancer ARN",
    );
  });

  it("answers model violations with ELB's ValidationError", async () => {
    assert.equal(
      await code(elb.send(new DescribeLoadBalancersCommand({ PageSize: 0 }))),
      "ValidationError: 1 validation error detected: Value '0' at 'pageSize' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert.equal(
      await code(elb.send(new CreateTargetGroupCommand({ Name: "x", Protocol: "HTTP", Port: 80, VpcId: vpcId, HealthCheckIntervalSeconds: 1 }))),
      "ValidationError: 1 validation error detected: Value '1' at 'healthCheckIntervalSeconds' failed to satisfy constraint: Member must have value greater than or equal to 5",
    );
    const badName = await h.awsError("elbv2", "create-target-group", "--name=-bad", "--protocol", "HTTP", "--port", "80", "--vpc-id", vpcId);
    assert.equal(badName.code, "ValidationError");
  });

  it("creates target groups with ELB's health check defaults per protocol", async () => {
    const http = await h.aws("elbv2", "create-target-group", "--name", "web-tg", "--protocol", "HTTP", "--port", "8080", "--vpc-id", vpcId, "--target-type", "ip");
    const tg = http.TargetGroups[0];
    tgArn = tg.TargetGroupArn;
    assert.match(tgArn, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:targetgroup\/web-tg\/[0-9a-f]{16}$/);
    assert.deepEqual(
      [tg.HealthCheckProtocol, tg.HealthCheckPort, tg.HealthCheckPath, tg.HealthCheckIntervalSeconds, tg.HealthCheckTimeoutSeconds, tg.HealthyThresholdCount, tg.UnhealthyThresholdCount, tg.Matcher.HttpCode],
      ["HTTP", "traffic-port", "/", 30, 5, 5, 2, "200"],
    );
    const tcp = (await h.aws("elbv2", "create-target-group", "--name", "edge-tg", "--protocol", "TCP", "--port", "9000", "--vpc-id", vpcId)).TargetGroups[0];
    assert.deepEqual([tcp.HealthCheckProtocol, tcp.HealthCheckTimeoutSeconds, tcp.HealthCheckPath, tcp.Matcher, tcp.TargetType], ["TCP", 10, undefined, undefined, "instance"]);
    apiTgArn = (await h.aws("elbv2", "create-target-group", "--name", "api-tg", "--protocol", "HTTP", "--port", "9090", "--vpc-id", vpcId, "--target-type", "ip",
      "--health-check-path", "/health", "--matcher", "HttpCode=200-299")).TargetGroups[0].TargetGroupArn;
    const tls = await h.awsError("elbv2", "create-target-group", "--name", "tls-tg", "--protocol", "HTTPS", "--port", "443", "--vpc-id", vpcId);
    assert.equal(tls.code, "UnsupportedProtocol");
    assert.match(tls.stderr, /Wharf does not serve HTTPS/);
    const attrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }));
    const a = Object.fromEntries(attrs.Attributes!.map((x) => [x.Key, x.Value]));
    assert.equal(a["deregistration_delay.timeout_seconds"], "300");
    assert.equal(a["load_balancing.algorithm.type"], "round_robin");
    await elb.send(new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: tgArn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "5" }, { Key: "load_balancing.algorithm.type", Value: "least_outstanding_requests" }],
    }));
    assert.match(await code(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: "nope.key", Value: "1" }] }))), /^ValidationError: /);
  });

  it("pages target groups with Marker", async () => {
    const names: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 2, ...(marker ? { Marker: marker } : {}) }));
      names.push(...page.TargetGroups!.map((t) => t.TargetGroupName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.deepEqual(names, ["api-tg", "edge-tg", "web-tg"]);
    assert.equal(pages, 2);
  });

  it("refuses TLS listeners, serves an HTTP listener and hands the data plane its state", async () => {
    const tls = await h.awsError("elbv2", "create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTPS", "--port", "443", "--default-actions", `Type=forward,TargetGroupArn=${tgArn}`);
    assert.equal(tls.code, "UnsupportedProtocol");
    assert.match(tls.stderr, /Wharf does not serve HTTPS listeners yet/);
    const tcpOnAlb = await h.awsError("elbv2", "create-listener", "--load-balancer-arn", lbArn, "--protocol", "TCP", "--port", "81", "--default-actions", `Type=forward,TargetGroupArn=${tgArn}`);
    assert.equal(tcpOnAlb.code, "UnsupportedProtocol");
    const created = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: "HTTP", Port: 80, DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }] }));
    listenerArn = created.Listeners![0]!.ListenerArn!;
    assert.match(listenerArn, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:listener\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.deepEqual(created.Listeners![0]!.DefaultActions![0]!.ForwardConfig!.TargetGroups, [{ TargetGroupArn: tgArn, Weight: 1 }]);
    const dup = await h.awsError("elbv2", "create-listener", "--load-balancer-arn", lbArn, "--protocol", "HTTP", "--port", "80", "--default-actions", "Type=fixed-response,FixedResponseConfig={StatusCode=404}");
    assert.equal(dup.code, "DuplicateListener");
    const { Listeners } = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(Listeners!.map((l) => l.Port), [80]);
    await h.server.lb.idle();
    const state = plane.last!;
    const lb = state.loadBalancers.find((l) => l.arn === lbArn)!;
    assert.ok(lb.bindAddress.startsWith(`${h.lbAddressPrefix}.`), lb.bindAddress);
    assert.deepEqual(lb.listeners.map((l) => [l.port, l.protocol, l.defaultAction.type]), [[80, "HTTP", "forward"]]);
    const group = state.targetGroups.find((t) => t.arn === tgArn)!;
    assert.equal(group.algorithm, "least_outstanding_requests");
    assert.equal(group.deregistrationDelaySeconds, 5);
    assert.ok(!state.targetGroups.some((t) => t.arn === apiTgArn), "a group no listener uses needs no health checks");
    const inUse = await code(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })));
    assert.equal(inUse, `ResourceInUseException: Target group '${tgArn}' is currently in use by a listener or a rule`);
  });

  it("routes by rules with priorities and conditions", async () => {
    const rule = await h.aws("elbv2", "create-rule", "--listener-arn", listenerArn, "--priority", "10",
      "--conditions", "Field=path-pattern,Values=/api/*", "--actions", `Type=forward,TargetGroupArn=${apiTgArn}`);
    const ruleArn = rule.Rules[0].RuleArn;
    assert.match(ruleArn, /:listener-rule\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.deepEqual(rule.Rules[0].Conditions, [{ Field: "path-pattern", Values: ["/api/*"], PathPatternConfig: { Values: ["/api/*"] } }]);
    const clash = await h.awsError("elbv2", "create-rule", "--listener-arn", listenerArn, "--priority", "10",
      "--conditions", "Field=host-header,Values=a.example", "--actions", "Type=fixed-response,FixedResponseConfig={StatusCode=503}");
    assert.equal(clash.code, "PriorityInUse");
    const second = await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: 20,
      Conditions: [
        { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["yes"] } },
        { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["GET"] } },
        { Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "2" }] } },
        { Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/8"] } },
      ],
      Actions: [{ Type: "redirect", RedirectConfig: { Path: "/v2/#{path}", StatusCode: "HTTP_302" } }],
    }));
    const secondArn = second.Rules![0]!.RuleArn!;
    assert.deepEqual(second.Rules![0]!.Actions![0]!.RedirectConfig, { Protocol: "#{protocol}", Port: "#{port}", Host: "#{host}", Path: "/v2/#{path}", Query: "#{query}", StatusCode: "HTTP_302" });
    const badCidr = await code(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 30, Conditions: [{ Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/99"] } }], Actions: [{ Type: "forward", TargetGroupArn: apiTgArn }] })));
    assert.match(badCidr, /^ValidationError: /);
    await assert.rejects(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: secondArn, Priority: 10 }] })),
      (e: Error) => e.name === "PriorityInUseException",
    );
    await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: ruleArn, Priority: 20 }, { RuleArn: secondArn, Priority: 5 }] }));
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    assert.deepEqual(Rules!.map((r) => [r.Priority, r.IsDefault]), [["5", false], ["20", false], ["default", true]]);
    await h.server.lb.idle();
    const listener = plane.last!.loadBalancers.find((l) => l.arn === lbArn)!.listeners[0]!;
    assert.deepEqual(listener.rules.map((r) => [r.priority, r.action.type]), [[5, "redirect"], [20, "forward"]]);
    assert.deepEqual(listener.rules[1]!.conditions, [{ field: "path-pattern", values: ["/api/*"] }]);
    assert.deepEqual(listener.rules[0]!.conditions.map((c) => c.field), ["http-header", "http-request-method", "query-string", "source-ip"]);
    assert.ok(plane.last!.targetGroups.some((t) => t.arn === apiTgArn), "the rule's group is served now");
    const del = await h.awsError("elbv2", "delete-rule", "--rule-arn", Rules![2]!.RuleArn!);
    assert.equal(del.code, "OperationNotPermitted");
  });

  it("registers targets: initial until the data plane reports, then its health; draining until DrainComplete", async () => {
    await h.aws("elbv2", "register-targets", "--target-group-arn", tgArn, "--targets", "Id=10.40.1.10", "Id=10.40.2.10,Port=8081");
    const bad = await h.awsError("elbv2", "register-targets", "--target-group-arn", tgArn, "--targets", "Id=i-0123456789abcdef0");
    assert.equal(bad.code, "ValidationError");
    const first = await h.aws("elbv2", "describe-target-health", "--target-group-arn", tgArn);
    assert.deepEqual(
      first.TargetHealthDescriptions.map((d: { Target: { Id: string; Port: number }; TargetHealth: { State: string; Reason: string } }) => [d.Target.Id, d.Target.Port, d.TargetHealth.State, d.TargetHealth.Reason]),
      [["10.40.1.10", 8080, "initial", "Elb.RegistrationInProgress"], ["10.40.2.10", 8081, "initial", "Elb.RegistrationInProgress"]],
    );
    await h.server.lb.idle();
    assert.deepEqual(plane.last!.targetGroups.find((t) => t.arn === tgArn)!.targets.map((t) => [t.address, t.port, t.draining]), [["10.40.1.10", 8080, false], ["10.40.2.10", 8081, false]]);
    plane.report({ targetGroupArn: tgArn, targetId: "10.40.1.10", port: 8080, state: "healthy", at: Date.now() });
    plane.report({ targetGroupArn: tgArn, targetId: "10.40.2.10", port: 8081, state: "unhealthy", reason: "Target.ResponseCodeMismatch", description: "Health checks failed with these codes: [500]", at: Date.now() });
    const states = await waitFor(async () => {
      const r = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      const s = r.TargetHealthDescriptions!.map((d) => `${d.Target!.Id}:${d.TargetHealth!.State}:${d.TargetHealth!.Reason ?? ""}`);
      return s.every((x) => !x.includes("initial")) && s;
    }, { what: "health reports recorded" });
    assert.deepEqual(states, ["10.40.1.10:healthy:", "10.40.2.10:unhealthy:Target.ResponseCodeMismatch"]);
    const notRegistered = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: "10.40.1.99" }] }));
    assert.deepEqual(notRegistered.TargetHealthDescriptions![0]!.TargetHealth, { State: "unused", Reason: "Target.NotRegistered", Description: "Target is not registered to the target group" });

    await h.aws("elbv2", "deregister-targets", "--target-group-arn", tgArn, "--targets", "Id=10.40.1.10,Port=8080");
    const draining = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: "10.40.1.10", Port: 8080 }] }));
    assert.deepEqual([draining.TargetHealthDescriptions![0]!.TargetHealth!.State, draining.TargetHealthDescriptions![0]!.TargetHealth!.Reason], ["draining", "Target.DeregistrationInProgress"]);
    await h.server.lb.idle();
    const drainingTarget = plane.last!.targetGroups.find((t) => t.arn === tgArn)!.targets.find((t) => t.id === "10.40.1.10")!;
    assert.equal(drainingTarget.draining, true);
    assert.ok(drainingTarget.drainDeadline! > Date.now());
    plane.drained({ targetGroupArn: tgArn, targetId: "10.40.1.10", port: 8080, at: Date.now() });
    await waitFor(async () => {
      const r = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
      return r.TargetHealthDescriptions!.length === 1 && r.TargetHealthDescriptions![0]!.Target!.Id === "10.40.2.10";
    }, { what: "drained target gone" });
    await h.server.lb.idle();
    assert.deepEqual(plane.last!.targetGroups.find((t) => t.arn === tgArn)!.targets.map((t) => t.id), ["10.40.2.10"]);
  });

  it("says unused for a group no listener uses", async () => {
    const edgeTg = (await elb.send(new DescribeTargetGroupsCommand({ Names: ["edge-tg"] }))).TargetGroups![0]!;
    const missing = await h.awsError("elbv2", "register-targets", "--target-group-arn", edgeTg.TargetGroupArn!, "--targets", "Id=i-0123456789abcdef0");
    assert.equal(missing.code, "InvalidTarget", "an instance Wharf does not know is not running");
    const ipTg = (await h.aws("elbv2", "create-target-group", "--name", "idle-tg", "--protocol", "HTTP", "--port", "80", "--vpc-id", vpcId, "--target-type", "ip")).TargetGroups[0].TargetGroupArn;
    await h.aws("elbv2", "register-targets", "--target-group-arn", ipTg, "--targets", "Id=10.40.1.20");
    const r = await h.aws("elbv2", "describe-target-health", "--target-group-arn", ipTg);
    assert.deepEqual([r.TargetHealthDescriptions[0].TargetHealth.State, r.TargetHealthDescriptions[0].TargetHealth.Reason], ["unused", "Target.NotInUse"]);
  });

  it("modifies target groups, listeners and rules; forwards by weight with group stickiness", async () => {
    const tg = await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: apiTgArn, HealthCheckPath: "/ready", HealthyThresholdCount: 2 }));
    assert.deepEqual([tg.TargetGroups![0]!.HealthCheckPath, tg.TargetGroups![0]!.HealthyThresholdCount, tg.TargetGroups![0]!.Matcher!.HttpCode], ["/ready", 2, "200-299"]);
    const weighted = await elb.send(new ModifyListenerCommand({
      ListenerArn: listenerArn,
      DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 3 }, { TargetGroupArn: apiTgArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } } }],
    }));
    assert.equal(weighted.Listeners![0]!.DefaultActions![0]!.TargetGroupArn, undefined, "no single group to name");
    await h.server.lb.idle();
    assert.deepEqual(plane.last!.loadBalancers.find((l) => l.arn === lbArn)!.listeners[0]!.defaultAction, {
      type: "forward",
      targetGroups: [{ arn: tgArn, weight: 3 }, { arn: apiTgArn, weight: 1 }],
      stickinessSeconds: 60,
    });
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const modified = await elb.send(new ModifyRuleCommand({ RuleArn: Rules![0]!.RuleArn, Actions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot" } }] }));
    assert.deepEqual(modified.Rules![0]!.Actions![0]!.FixedResponseConfig, { StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot" });
    const viaDefault = await elb.send(new ModifyRuleCommand({ RuleArn: Rules![2]!.RuleArn, Actions: [{ Type: "forward", TargetGroupArn: tgArn }] }));
    assert.equal(viaDefault.Rules![0]!.IsDefault, true);
    const listener = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0]!;
    assert.equal(listener.DefaultActions![0]!.TargetGroupArn, tgArn, "ModifyRule on the default rule changes the listener's default action");
    const moved = await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Port: 8000 }));
    assert.equal(moved.Listeners![0]!.Port, 8000);
    await elb.send(new ModifyListenerCommand({ ListenerArn: listenerArn, Port: 80 }));
  });

  it("tags every resource kind", async () => {
    await elb.send(new AddTagsCommand({ ResourceArns: [lbArn, tgArn, listenerArn], Tags: [{ Key: "env", Value: "dev" }] }));
    const t = await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tgArn, listenerArn] }));
    assert.deepEqual(t.TagDescriptions!.map((d) => d.Tags!.map((x) => `${x.Key}=${x.Value}`)), [["team=web", "env=dev"], ["env=dev"], ["env=dev"]]);
    await elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ["team"] }));
    const cli = await h.aws("elbv2", "describe-tags", "--resource-arns", lbArn);
    assert.deepEqual(cli.TagDescriptions[0].Tags, [{ Key: "env", Value: "dev" }]);
    assert.match(await code(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: [{ Key: "aws:x", Value: "1" }] }))), /^ValidationError: /);
    assert.match(await code(elb.send(new AddTagsCommand({ ResourceArns: [lbArn], Tags: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] }))), /^DuplicateTagKeysException: /);
  });

  it("refuses to delete a protected load balancer; deleting it takes its listeners and rules", async () => {
    await h.aws("elbv2", "modify-load-balancer-attributes", "--load-balancer-arn", lbArn, "--attributes", "Key=deletion_protection.enabled,Value=true", "Key=idle_timeout.timeout_seconds,Value=120");
    const refused = await h.awsError("elbv2", "delete-load-balancer", "--load-balancer-arn", lbArn);
    assert.equal(refused.code, "OperationNotPermitted");
    assert.match(refused.stderr, /deletion protection is enabled/);
    await h.server.lb.idle();
    assert.equal(plane.last!.loadBalancers.find((l) => l.arn === lbArn)!.idleTimeoutSeconds, 120);
    await h.aws("elbv2", "modify-load-balancer-attributes", "--load-balancer-arn", lbArn, "--attributes", "Key=deletion_protection.enabled,Value=false");
    await h.aws("elbv2", "delete-load-balancer", "--load-balancer-arn", lbArn);
    const gone = await h.awsError("elbv2", "describe-listeners", "--listener-arns", listenerArn);
    assert.equal(gone.code, "ListenerNotFound");
    await h.server.lb.idle();
    assert.ok(!plane.last!.loadBalancers.some((l) => l.arn === lbArn));
    await h.aws("elbv2", "delete-target-group", "--target-group-arn", tgArn);
    const { TargetGroups } = await h.aws("elbv2", "describe-target-groups");
    assert.ok(!TargetGroups.some((t: { TargetGroupArn: string }) => t.TargetGroupArn === tgArn));
  });

  it("wire format: Query XML responses and errors", async () => {
    const send = (body: string) => signedQuery(h, "elasticloadbalancing", body);
    const ok = await send("Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=edge");
    assert.equal(ok.status, 200);
    assert.match(ok.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<DescribeLoadBalancersResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><DescribeLoadBalancersResult><LoadBalancers><member>/);
    assert.match(ok.text, /<\/DescribeLoadBalancersResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/DescribeLoadBalancersResponse>$/);
    const bad = await send("Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=nope");
    assert.equal(bad.status, 400);
    assert.match(bad.text, /<ErrorResponse xmlns="http:\/\/elasticloadbalancing\.amazonaws\.com\/doc\/2015-12-01\/"><Error><Type>Sender<\/Type><Code>LoadBalancerNotFound<\/Code><Message>Load balancers '\[nope\]' not found<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>/);
    const unbuilt = await send("Action=DescribeTrustStores&Version=2015-12-01");
    assert.match(unbuilt.text, /<Code>UnsupportedOperation<\/Code>/);
    const unknown = await send("Action=Nope&Version=2015-12-01");
    assert.match(unknown.text, /<Code>InvalidAction<\/Code>/);
  });
});

describe("ELBv2 without a data plane", () => {
  let h: TestWharf;
  before(async () => {
    h = await startTestWharf({ server: { serviceController: false, lbDataPlane: false } });
  });
  after(async () => {
    await h?.close();
  });

  it("DescribeTargetHealth says unavailable: no health is faked", async () => {
    const { Subnets } = await h.aws("ec2", "describe-subnets", "--filters", "Name=default-for-az,Values=true");
    const lb = await h.aws("elbv2", "create-load-balancer", "--name", "solo", "--subnets", Subnets[0].SubnetId, Subnets[1].SubnetId);
    const tg = await h.aws("elbv2", "create-target-group", "--name", "solo-tg", "--protocol", "HTTP", "--port", "80", "--vpc-id", Subnets[0].VpcId, "--target-type", "ip");
    const tgArn = tg.TargetGroups[0].TargetGroupArn;
    await h.aws("elbv2", "create-listener", "--load-balancer-arn", lb.LoadBalancers[0].LoadBalancerArn, "--protocol", "HTTP", "--port", "80", "--default-actions", `Type=forward,TargetGroupArn=${tgArn}`);
    await h.aws("elbv2", "register-targets", "--target-group-arn", tgArn, "--targets", "Id=172.31.0.10");
    const r = await h.aws("elbv2", "describe-target-health", "--target-group-arn", tgArn);
    assert.equal(r.TargetHealthDescriptions[0].TargetHealth.State, "unavailable");
    assert.match(r.TargetHealthDescriptions[0].TargetHealth.Description, /No load balancer data plane runs/);
  });
});
