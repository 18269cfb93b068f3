import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { elbActionText, elbConditionText, elbNameOf, imageSizeText, policyDocumentText, scalingPolicyText } from "../src/core/console/resource-text.js";

const TG = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${name}/30c3d84c5e3cace0`;

describe("the console's words for load balancer rules, scaling policies, image sizes and policy documents", () => {
  it("names target groups and load balancers from their ARNs", () => {
    assert.equal(elbNameOf(TG("web-tg")), "web-tg");
    assert.equal(elbNameOf("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/50dc6c495c0c9188"), "web");
    assert.equal(elbNameOf("arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/nlb/50dc6c495c0c9188"), "nlb");
    assert.equal(elbNameOf(undefined), "-");
  });

  it("says what each kind of action does", () => {
    assert.equal(elbActionText({ Type: "forward", TargetGroupArn: TG("a") }), "forward to a");
    assert.equal(elbActionText({ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG("a") }] } }), "forward to a");
    assert.equal(
      elbActionText({ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: TG("blue"), Weight: 80 }, { TargetGroupArn: TG("green"), Weight: 20 }] } }),
      "forward to blue (weight 80), green (weight 20)",
    );
    assert.equal(elbActionText({ Type: "fixed-response", FixedResponseConfig: { StatusCode: "410", MessageBody: "gone" } }), 'fixed-response 410 "gone"');
    assert.equal(elbActionText({ Type: "fixed-response", FixedResponseConfig: { StatusCode: "503" } }), "fixed-response 503");
    assert.equal(
      elbActionText({ Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } }),
      "redirect HTTP_301 to https://#{host}:443/#{path}?#{query}",
    );
    assert.equal(elbActionText({ Type: "redirect", RedirectConfig: { Protocol: "HTTP", Host: "example.com", Port: "80", Path: "/new", Query: "", StatusCode: "HTTP_302" } }), "redirect HTTP_302 to http://example.com:80/new");
    assert.equal(elbActionText({ Type: "authenticate-oidc" }), "authenticate-oidc");
  });

  it("says what each kind of condition matches", () => {
    assert.equal(elbConditionText({ Field: "path-pattern", PathPatternConfig: { Values: ["/a/*", "/b"] } }), "path-pattern: /a/* | /b");
    assert.equal(elbConditionText({ Field: "path-pattern", Values: ["/old/*"] }), "path-pattern: /old/*");
    assert.equal(elbConditionText({ Field: "host-header", HostHeaderConfig: { Values: ["api.example.com"] } }), "host-header: api.example.com");
    assert.equal(elbConditionText({ Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Env", Values: ["blue", "green"] } }), "http-header: X-Env: blue | green");
    assert.equal(elbConditionText({ Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "1" }, { Value: "beta" }] } }), "query-string: v=1 | beta");
    assert.equal(elbConditionText({ Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/8"] } }), "source-ip: 10.0.0.0/8");
  });

  it("says what a scaling policy keeps or steps", () => {
    assert.equal(
      scalingPolicyText({ PolicyType: "TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration: { TargetValue: 50, PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" } } }),
      "keep ECSServiceAverageCPUUtilization at 50",
    );
    assert.equal(
      scalingPolicyText({ TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, DisableScaleIn: true, CustomizedMetricSpecification: { MetricName: "QueueDepth" } } }),
      "keep QueueDepth at 100 (no scale-in)",
    );
    assert.equal(
      scalingPolicyText({
        PolicyType: "StepScaling",
        StepScalingPolicyConfiguration: { AdjustmentType: "ChangeInCapacity", Cooldown: 60, StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }, { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 10, ScalingAdjustment: 2 }] },
      }),
      "ChangeInCapacity [-∞, 0) -1, [0, 10) +1, [10, +∞) +2, cooldown 60 s",
    );
    assert.equal(scalingPolicyText({ PolicyType: "PredictiveScaling" }), "PredictiveScaling");
  });

  it("shows image sizes in KB or MB", () => {
    assert.equal(imageSizeText(undefined), "-");
    assert.equal(imageSizeText(1536), "1.50 KB");
    assert.equal(imageSizeText(5 * 1024 * 1024 + 512 * 1024), "5.50 MB");
  });

  it("pretty-prints IAM's URL-encoded policy documents, and leaves other text alone", () => {
    const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::dogs/*" }] };
    assert.equal(policyDocumentText(encodeURIComponent(JSON.stringify(doc))), JSON.stringify(doc, null, 2));
    assert.equal(policyDocumentText(JSON.stringify(doc)), JSON.stringify(doc, null, 2));
    assert.equal(policyDocumentText("100% not json"), "100% not json");
    assert.equal(policyDocumentText(undefined), "-");
  });
});
