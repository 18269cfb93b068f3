import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cloudwatchOperations } from "../src/api/cloudwatch/index.js";
import { ec2Operations } from "../src/api/ec2/index.js";
import { ecrOperations } from "../src/api/ecr/index.js";
import { ecsOperations } from "../src/api/ecs/index.js";
import { elbv2Operations } from "../src/api/elbv2/index.js";
import { iamOperations } from "../src/api/iam/index.js";
import { logsOperations } from "../src/api/logs/index.js";
import { stsOperations } from "../src/api/sts/index.js";
import { servicediscoveryOperations } from "../src/api/servicediscovery/index.js";
import { secretsManagerOperations } from "../src/api/secretsmanager/index.js";
import { ssmOperations } from "../src/api/ssm/index.js";
import { applicationautoscalingOperations } from "../src/api/applicationautoscaling/index.js";

/** docs/status.md lists exactly the operations the code serves, per API. */
describe("docs/status.md is true to the code", () => {
  const text = readFileSync(join(process.cwd(), "docs", "status.md"), "utf8");
  const section = (title: string) => {
    const start = text.indexOf(`## ${title}`);
    const end = text.indexOf("\n## ", start + 1);
    const body = text.slice(start, end < 0 ? undefined : end);
    const tables = body.split("\n").filter((l) => l.startsWith("|"));
    return new Set(tables.flatMap((l) => [...l.matchAll(/`([A-Z][A-Za-z]+)`/g)].map((m) => m[1]!)));
  };

  it("lists every ECS operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("ECS")].sort(), Object.keys(ecsOperations).sort());
  });

  it("lists every EC2 operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("EC2")].sort(), Object.keys(ec2Operations).sort());
  });

  it("lists every ELBv2 operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("ELBv2")].sort(), Object.keys(elbv2Operations).sort());
  });

  it("lists every IAM operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("IAM")].sort(), Object.keys(iamOperations).sort());
  });

  it("lists every STS operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("STS")].sort(), Object.keys(stsOperations).sort());
  });

  it("lists every Cloud Map operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("Cloud Map")].sort(), Object.keys(servicediscoveryOperations).sort());
  });

  it("lists every Application Auto Scaling operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("Application Auto Scaling")].sort(), Object.keys(applicationautoscalingOperations).sort());
  });

  it("lists every ECR operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("ECR")].sort(), Object.keys(ecrOperations).sort());
  });

  it("lists every SSM Parameter Store operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("SSM Parameter Store")].sort(), Object.keys(ssmOperations).sort());
  });

  it("lists every Secrets Manager operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("Secrets Manager")].sort(), Object.keys(secretsManagerOperations).sort());
  });

  it("lists every CloudWatch operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("CloudWatch metrics and alarms")].sort(), Object.keys(cloudwatchOperations).sort());
  });

  it("lists every CloudWatch Logs operation Wharf serves, and no other", () => {
    assert.deepEqual([...section("CloudWatch Logs")].sort(), Object.keys(logsOperations).sort());
  });
});
