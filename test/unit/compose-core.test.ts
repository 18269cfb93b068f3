import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ComposeError,
  composeDurationSec,
  composeSizeMiB,
  convertProject,
  interpolateString,
  nearestFargateSize,
  normalizeProject,
  parseEnvFile,
  shellWords,
} from "../../src/core/compose/index.js";

const three = {
  services: {
    web: { image: "web:1", ports: ["80:80"], depends_on: { api: { condition: "service_healthy" } } },
    api: { image: "api:1", expose: [8080], healthcheck: { test: "wget -q -O- http://localhost:8080/", interval: "5s", retries: 3 } },
    cache: { image: "cache:1", volumes: ["data:/data"], deploy: { replicas: 2, resources: { limits: { cpus: "0.5", memory: "1g" } } } },
  },
  volumes: { data: {} },
};

describe("compose core: units, interpolation, env files", () => {
  it("parses durations, sizes, Fargate sizes and shell words", () => {
    assert.equal(composeDurationSec("1m30s"), 90);
    assert.equal(composeDurationSec("bogus"), undefined);
    assert.equal(composeSizeMiB("1g"), 1024);
    assert.equal(composeSizeMiB("512m"), 512);
    assert.deepEqual(nearestFargateSize(undefined, undefined), { cpu: 256, memory: 512 });
    assert.deepEqual(nearestFargateSize(0.5, 1024), { cpu: 512, memory: 1024 });
    assert.deepEqual(nearestFargateSize(1, 3000), { cpu: 1024, memory: 3072 });
    assert.equal(nearestFargateSize(32, 1024), undefined);
    assert.deepEqual(shellWords(`sh -c "echo 'a b'"`), ["sh", "-c", "echo 'a b'"]);
  });
  it("interpolates as the Compose Specification says", () => {
    const vars = { A: "x", E: "" };
    assert.equal(interpolateString("$A-${A}-${B:-d}-${E:-e}-${E-f}-$$A", vars), "x-x-d-e--$A");
    assert.throws(() => interpolateString("${B:?needed}", vars), /required variable B/);
    assert.deepEqual(parseEnvFile("# c\nexport A=1\nB='q #x'\nC=\"l\\n\" \nD=v # note\n"), { A: "1", B: "q #x", C: "l\n", D: "v" });
  });
});

describe("compose core: normalize and convert", () => {
  it("maps the three-service file: ALB on 80, creation order by depends_on, EFS-style volume, task size", () => {
    const plan = convertProject(normalizeProject(three, { projectName: "demo" }), { region: "us-east-1" });
    assert.deepEqual(plan.services.map((s) => s.name), ["api", "web", "cache"]);
    assert.equal(plan.loadBalancer?.type, "application");
    assert.deepEqual(plan.loadBalancer?.listeners, [{ port: 80, protocol: "HTTP", targetGroup: "demo-web-80" }]);
    const cache = plan.services.find((s) => s.name === "cache")!;
    assert.equal(cache.desiredCount, 2);
    assert.equal(cache.taskDefinition.cpu, "512");
    assert.equal(cache.taskDefinition.memory, "1024");
    assert.equal(cache.taskDefinition.volumes?.[0]?.efsVolumeConfiguration?.fileSystemId, plan.volumes[0]!.fileSystemId);
    const api = plan.services.find((s) => s.name === "api")!;
    assert.deepEqual(api.taskDefinition.containerDefinitions![0]!.healthCheck, { command: ["CMD-SHELL", "wget -q -O- http://localhost:8080/"], interval: 5, retries: 3 });
    assert.deepEqual(plan.services.find((s) => s.name === "web")!.after, [{ service: "api", healthy: true }]);
    assert.equal(plan.namespace, "demo.local");
  });
  it("a changed image changes only that service's spec", () => {
    const a = convertProject(normalizeProject(three, { projectName: "demo" }), { region: "us-east-1" });
    const edited = structuredClone(three);
    edited.services.api.image = "api:2";
    const b = convertProject(normalizeProject(edited, { projectName: "demo" }), { region: "us-east-1" });
    for (const s of a.services) assert.equal(s.spec === b.services.find((x) => x.name === s.name)!.spec, s.name !== "api", s.name);
  });
  it("refuses what ECS cannot mean, with every reason", () => {
    const bad = {
      services: {
        x: { image: "i", privileged: true, volumes: ["./src:/src"], secrets: [{ source: "s", mode: 0o400 }, "db-pass"], restart: "no", depends_on: { y: { condition: "service_completed_successfully" } } },
        y: { image: "i" },
      },
      secrets: { s: { file: "./s" }, "db-pass": { external: true }, d: { driver: "vault" }, bad: { name: "arn:aws:s3:::bucket", external: true } },
    };
    const err = (() => {
      try {
        normalizeProject(bad, { projectName: "p" });
      } catch (e) {
        return e as ComposeError;
      }
      return undefined;
    })();
    assert.ok(err instanceof ComposeError);
    const text = err.reasons.join("\n");
    for (const re of [
      /privileged/,
      /bind mount/,
      /services\.x\.secrets\.s\.mode: ECS injects a secret as an environment variable, which has no file mode/,
      /services\.x\.secrets\.db-pass: .*'db-pass' is not a variable name \(set target: to one, e\.g\. DB_PASS\)/,
      /secrets\.d\.driver: .*no ECS meaning/,
      /secrets\.bad\.name: 'arn:aws:s3:::bucket' is neither a Secrets Manager secret ARN nor a Parameter Store parameter ARN/,
      /restart/,
      /service_completed_successfully/,
    ]) assert.match(text, re);
  });

  it("maps secrets to ECS container secrets: external ones by ARN or name, file and environment ones put into Secrets Manager by up", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/db-AbCdEf";
    const doc = {
      services: {
        api: { image: "api:1", secrets: ["db", { source: "token", target: "API_TOKEN" }, { source: "param", target: "FLAG" }, { source: "named", target: "NAMED" }] },
        web: { image: "web:1" },
      },
      secrets: {
        db: { name: arn, external: true },
        token: { file: "./token.txt" },
        param: { name: "arn:aws:ssm:us-east-1:000000000000:parameter/app/flag", external: true },
        named: { external: true, name: "prod/named" },
        unused: { environment: "HOME" },
      },
    };
    const project = normalizeProject(doc, { projectName: "p" });
    assert.deepEqual(project.services.find((s) => s.name === "api")!.secrets, [
      { source: "db", env: "db" },
      { source: "token", env: "API_TOKEN" },
      { source: "param", env: "FLAG" },
      { source: "named", env: "NAMED" },
    ]);
    const plan = convertProject(project, { region: "us-east-1" });
    assert.deepEqual(plan.secrets, [
      { name: "db", ref: arn },
      { name: "token", ref: "p/token", create: { file: "./token.txt" } },
      { name: "param", ref: "arn:aws:ssm:us-east-1:000000000000:parameter/app/flag" },
      { name: "named", ref: "prod/named" },
    ], "only the secrets a service uses");
    const container = (name: string, ctx = {}) => convertProject(project, { region: "us-east-1", ...ctx }).services.find((s) => s.name === name)!.taskDefinition.containerDefinitions![0]!;
    const unresolved = container("api").secrets!;
    assert.deepEqual(unresolved.slice(0, 3).map((x) => x.valueFrom), [arn, "<the ARN of Secrets Manager secret p/token, put by up>", "arn:aws:ssm:us-east-1:000000000000:parameter/app/flag"]);
    const tokenArn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:p/token-123456";
    const namedArn = "arn:aws:secretsmanager:us-east-1:000000000000:secret:prod/named-654321";
    assert.deepEqual(container("api", { secretArns: { db: arn, token: tokenArn, param: plan.secrets[2]!.ref, named: namedArn } }).secrets, [
      { name: "db", valueFrom: arn },
      { name: "API_TOKEN", valueFrom: tokenArn },
      { name: "FLAG", valueFrom: "arn:aws:ssm:us-east-1:000000000000:parameter/app/flag" },
      { name: "NAMED", valueFrom: namedArn },
    ]);
    assert.equal(container("web").secrets, undefined);
  });
});
