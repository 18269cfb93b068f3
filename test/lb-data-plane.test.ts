import assert from "node:assert/strict";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DrainComplete, LbDesiredState, LbListener, TargetHealthReport } from "../src/core/lb/data-plane-contract.js";
import { HaproxyDataPlane } from "../src/lb/haproxy-data-plane.js";
import { freePort } from "../bench/lib/net.js";
import { ownLoopbackIp } from "./helpers/agent-fixtures.js";
import { cleanupStack } from "./helpers/cleanup.js";
import { backendOf, get, startBackend, startEchoServer, type Backend } from "./helpers/lb-backends.js";
import { waitEvent, waitFor } from "./helpers/wait.js";
import { healthCheck, httpListener, target, targetGroup, desiredState, ARN } from "./unit/lb-fixtures.js";

// Real HAProxy (Debian's, scripts/ensure-haproxy.sh), real HTTP backends on ephemeral ports,
// each load balancer on a loopback address of its own.
describe("load balancer data plane (HAProxy)", () => {
  const defer = cleanupStack(after);
  const addr = ownLoopbackIp();
  let dir: string;
  let dp: HaproxyDataPlane;
  const health: TargetHealthReport[] = [];
  const drains: DrainComplete[] = [];
  const backends: Record<string, Backend> = {};
  let port: number;
  const fastCheck = healthCheck({ intervalSeconds: 1, timeoutSeconds: 1, healthyThresholdCount: 2, unhealthyThresholdCount: 2, path: "/health" });
  const tg = (name: string, names: string[], over = {}) =>
    targetGroup(name, names.map((n) => target("127.0.0.1", backends[n].port)), { healthCheck: fastCheck, ...over });
  const lastHealth = (b: Backend) => [...health].reverse().find((r) => r.port === b.port);
  const hitsOf = async (n: number, path = "/") => {
    const seen: string[] = [];
    for (let i = 0; i < n; i++) seen.push(backendOf(await get(addr, port, path)) ?? "none");
    return seen;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "wharf-lb-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    for (const n of ["a", "b", "c", "api"]) {
      backends[n] = await startBackend(n);
      defer(() => backends[n].close());
    }
    port = await freePort();
    dp = new HaproxyDataPlane({ dataDir: dir, drainPollMs: 100, log: process.env.LB_TEST_LOG ? (l) => console.error(JSON.stringify(l)) : undefined });
    defer(() => dp.close());
    dp.onHealth((r) => health.push(r));
    dp.onDrained((d) => drains.push(d));
  });

  const waitHealthy = (bs: Backend[]) =>
    waitFor(() => bs.every((b) => lastHealth(b)?.state === "healthy"), { what: `${bs.map((b) => b.name)} healthy`, timeoutMs: 15_000, detail: () => health.slice(-6) });

  it("routes round robin, by rule, answers fixed-response and redirect, and sets ALB's headers", async () => {
    const web = tg("web", ["a", "b"]);
    const api = tg("api", ["api"]);
    const listener = httpListener(port, web, {
      rules: [
        { arn: `${ARN}:listener-rule/1`, priority: 10, conditions: [{ field: "path-pattern", values: ["/api/*"] }], action: { type: "forward", targetGroups: [{ arn: api.arn, weight: 1 }] } },
        { arn: `${ARN}:listener-rule/2`, priority: 20, conditions: [{ field: "path-pattern", values: ["/teapot"] }, { field: "http-request-method", values: ["GET"] }], action: { type: "fixed-response", statusCode: "418", contentType: "text/plain", messageBody: "short and stout" } },
        { arn: `${ARN}:listener-rule/3`, priority: 5, conditions: [{ field: "host-header", values: ["OLD.example.*"] }], action: { type: "redirect", statusCode: "HTTP_301", host: "new.example.com", path: "/moved/#{path}" } },
      ],
    });
    await dp.apply(desiredState(addr, [listener], [web, api]));
    assert.ok(existsSync(join(dir, "haproxy", "haproxy.cfg")), "config in the server's data dir");
    assert.equal(health.filter((r) => r.state === "initial" && r.reason === "Elb.InitialHealthChecking").length, 3);
    await waitHealthy([backends.a, backends.b, backends.api]);

    const seen = await hitsOf(6);
    assert.deepEqual(new Set(seen), new Set(["a", "b"]), `round robin over both: ${seen}`);
    assert.equal(seen.filter((s) => s === "a").length, 3, `even split: ${seen}`);
    assert.deepEqual(new Set(await hitsOf(3, "/api/users")), new Set(["api"]));

    const tea = await get(addr, port, "/teapot");
    assert.equal(tea.status, 418);
    assert.equal(tea.body, "short and stout");
    assert.match(String(tea.headers["content-type"]), /^text\/plain/);

    const moved = await get(addr, port, "/x/y?q=1", { host: "old.EXAMPLE.org:81" });
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, `http://new.example.com:${port}/moved/x/y?q=1`);
    const movedNoQuery = await get(addr, port, "/z", { host: "old.example.org" });
    assert.equal(movedNoQuery.headers.location, `http://new.example.com:${port}/moved/z`);

    const echoed = JSON.parse((await get(addr, port, "/h")).body).headers as Record<string, string>;
    assert.equal(echoed["x-forwarded-for"], "127.0.0.1");
    assert.equal(echoed["x-forwarded-proto"], "http");
    assert.equal(echoed["x-forwarded-port"], String(port));
    assert.match(echoed["x-amzn-trace-id"], /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const epoch = parseInt(echoed["x-amzn-trace-id"].slice(7, 15), 16);
    assert.ok(Math.abs(epoch - Date.now() / 1000) < 300, "trace id's time is now");
    const kept = JSON.parse((await get(addr, port, "/h", { "x-amzn-trace-id": "Root=1-00000000-000000000000000000000000" })).body).headers;
    assert.equal(kept["x-amzn-trace-id"], "Root=1-00000000-000000000000000000000000");
  });

  it("takes a failing target out with ELB's reason, and fails open when all fail", async () => {
    const web = tg("web", ["a", "b"]);
    await dp.apply(desiredState(addr, [httpListener(port, web)], [web]));
    await waitHealthy([backends.a, backends.b]);
    backends.b.health = 503;
    const bad = await waitFor(() => (lastHealth(backends.b)?.state === "unhealthy" ? lastHealth(backends.b) : undefined), { what: "b unhealthy", timeoutMs: 15_000 });
    assert.equal(bad.reason, "Target.ResponseCodeMismatch");
    assert.equal(bad.description, "Health checks failed with these codes: [503]");
    await waitFor(async () => (await hitsOf(4)).every((s) => s === "a"), { what: "traffic to a only", timeoutMs: 10_000 });

    backends.a.health = "hang";
    const timedOut = await waitFor(() => (lastHealth(backends.a)?.state === "unhealthy" ? lastHealth(backends.a) : undefined), { what: "a unhealthy", timeoutMs: 15_000 });
    assert.equal(timedOut.reason, "Target.Timeout");
    assert.equal(timedOut.description, "Request timed out");
    // Every target unhealthy: ELB routes to all of them.
    await waitFor(async () => new Set(await hitsOf(4)).size === 2, { what: "fail-open to a and b", timeoutMs: 10_000 });

    backends.a.health = 200;
    backends.b.health = 200;
    await waitHealthy([backends.a, backends.b]);
  });

  it("drains a deregistered target: in-flight finishes, new requests go elsewhere, DrainComplete", async () => {
    const only = tg("drainer", ["c"]);
    await dp.apply(desiredState(addr, [httpListener(port, only)], [only]));
    await waitHealthy([backends.c]);
    const slow = get(addr, port, "/slow", {}, 20_000);
    await waitFor(() => backends.c.slow.length === 1, { what: "slow request at c" });

    const cT = { ...only.targets[0], draining: true, drainDeadline: Date.now() + 60_000 };
    const moved = { ...only, targets: [cT, target("127.0.0.1", backends.a.port)] };
    const drained = new Promise<DrainComplete>((resolve) => dp.onDrained((d) => d.port === backends.c.port && resolve(d)));
    await dp.apply(desiredState(addr, [httpListener(port, moved)], [moved]));
    assert.equal(lastHealth(backends.c)?.state, "draining");
    assert.equal(lastHealth(backends.c)?.reason, "Target.DeregistrationInProgress");
    await waitHealthy([backends.a]);
    assert.deepEqual(new Set(await hitsOf(4)), new Set(["a"]), "new requests go to a");
    assert.equal(drains.filter((d) => d.port === backends.c.port).length, 0, "no DrainComplete while a request is in flight");

    backends.c.slow.shift()!();
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.equal(backendOf(answer), "c");
    const d = await waitEvent(drained, { what: "DrainComplete for c", timeoutMs: 15_000 });
    assert.equal(d.targetGroupArn, only.arn);
  });

  it("passes bytes through a TCP listener", async () => {
    const echo = await startEchoServer("echo");
    defer(() => echo.close());
    const tcpGroup = targetGroup("tcp", [target("127.0.0.1", echo.port)], { protocol: "TCP", healthCheck: healthCheck({ protocol: "TCP", path: undefined, httpCode: undefined, intervalSeconds: 1, timeoutSeconds: 1 }) });
    const tcpPort = await freePort();
    const tcp: LbListener = { arn: `${ARN}:listener/net/tcp/1`, port: tcpPort, protocol: "TCP", defaultAction: { type: "forward", targetGroups: [{ arn: tcpGroup.arn, weight: 1 }] }, rules: [] };
    await dp.apply({ ...desiredState(addr, [tcp], [tcpGroup]) });
    await waitFor(() => [...health].reverse().find((r) => r.port === echo.port)?.state === "healthy", { what: "echo healthy", timeoutMs: 15_000 });
    const got = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: addr, port: tcpPort }, () => s.write("hello"));
      s.setTimeout(10_000, () => s.destroy(new Error("no echo")));
      s.on("data", (d) => {
        resolve(d.toString("utf8"));
        s.end();
      });
      s.on("error", reject);
    });
    assert.equal(got, "echo:hello");
  });

  it("applies target and rule changes without failing a request under steady load", async () => {
    const web = tg("steady", ["a", "b"]);
    const listener = httpListener(port, web);
    const state = (s: LbDesiredState) => dp.apply(s);
    await state(desiredState(addr, [listener], [web]));
    await waitHealthy([backends.a, backends.b]);
    let ok = 0;
    let failed = 0;
    const errors: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const a = await get(addr, port, "/load");
          if (a.status === 200) ok++;
          else {
            failed++;
            errors.push(String(a.status));
          }
        } catch (e) {
          failed++;
          errors.push((e as Error).message);
        }
      }
    };
    const workers = [worker(), worker(), worker(), worker()];
    try {
      const seenC = backends.c.hits.length;
      // Add a target (runtime API), then drain one out, then change the rules (a reload).
      const withC = { ...web, targets: [...web.targets, target("127.0.0.1", backends.c.port)] };
      await state(desiredState(addr, [listener], [withC]));
      await waitFor(() => backends.c.hits.length > seenC + 5, { what: "c gets traffic", timeoutMs: 15_000 });
      const drainA = { ...withC, targets: withC.targets.map((t) => (t.port === backends.a.port ? { ...t, draining: true, drainDeadline: Date.now() + 30_000 } : t)) };
      const aDrained = new Promise<void>((resolve) => dp.onDrained((d) => d.port === backends.a.port && resolve()));
      await state(desiredState(addr, [listener], [drainA]));
      await waitEvent(aDrained, { what: "a drained", timeoutMs: 15_000 });
      const noA = { ...withC, targets: withC.targets.filter((t) => t.port !== backends.a.port) };
      await state(desiredState(addr, [listener], [noA]));
      const withRule = httpListener(port, noA, { rules: [{ arn: `${ARN}:listener-rule/9`, priority: 1, conditions: [{ field: "path-pattern", values: ["/never"] }], action: { type: "fixed-response", statusCode: "404" } }] });
      await state(desiredState(addr, [withRule], [noA]));
      const before = ok;
      await waitFor(() => ok > before + 20, { what: "requests after the reload" });
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    assert.equal(failed, 0, `failed requests: ${errors.slice(0, 5).join("; ")}`);
    assert.ok(ok > 0);
  });

  it("reloads seamlessly: ten reloads in a row reset no new connection (the listeners pass to the new worker)", async () => {
    const web = tg("steady", ["b", "c"]);
    const plain = httpListener(port, web);
    const ruled = (i: number) =>
      httpListener(port, web, { rules: [{ arn: `${ARN}:listener-rule/r${i}`, priority: 1, conditions: [{ field: "path-pattern", values: [`/never-${i}`] }], action: { type: "fixed-response", statusCode: "404" } }] });
    await dp.apply(desiredState(addr, [plain], [web]));
    await waitHealthy([backends.b, backends.c]);
    let ok = 0;
    const errors: string[] = [];
    let stop = false;
    // Each GET on a connection of its own (agent: false), so every one goes through accept().
    const worker = async () => {
      while (!stop) {
        try {
          const a = await get(addr, port, "/load");
          if (a.status === 200) ok++;
          else errors.push(`HTTP ${a.status}`);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    try {
      for (let i = 0; i < 10; i++) {
        // Every change of rules is a reload (a new worker); wait for requests between them.
        await dp.apply(desiredState(addr, [i % 2 ? plain : ruled(i)], [web]));
        const seen = ok;
        await waitFor(() => ok > seen + 20, { what: `requests after reload ${i + 1}`, timeoutMs: 15_000 });
      }
    } finally {
      stop = true;
      await Promise.all(workers);
    }
    assert.deepEqual(errors.slice(0, 5), [], `${errors.length} of ${ok + errors.length} requests failed across ten reloads`);
  });

  it("close stops HAProxy and removes its files", async () => {
    await dp.close();
    assert.equal(existsSync(join(dir, "haproxy")), false);
    await assert.rejects(get(addr, port, "/", {}, 2000));
  });
});

describe("load balancer data plane: a listener that cannot bind", () => {
  const defer = cleanupStack(after);
  it("fails apply with HAProxy's reason and a hint, and leaves no HAProxy behind", async () => {
    const busy = await startBackend("busy");
    defer(() => busy.close());
    const dir = mkdtempSync(join(tmpdir(), "wharf-lb-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const dp = new HaproxyDataPlane({ dataDir: dir });
    defer(() => dp.close());
    const group = targetGroup("web", [target("127.0.0.1", busy.port)]);
    // The listener's port is already taken on the same address (by the backend itself).
    const state = desiredState("127.0.0.1", [httpListener(busy.port, group)], [group]);
    await assert.rejects(dp.apply(state), /another process already listens[\s\S]*Address already in use/);
    assert.equal(existsSync(join(dir, "haproxy")), false);
  });
});

describe("load balancer data plane: a reload that cannot bind", () => {
  const defer = cleanupStack(after);
  it("fails apply with the reason while the running listeners keep serving", async () => {
    const addr = ownLoopbackIp();
    const b = await startBackend("kept");
    defer(() => b.close());
    const dir = mkdtempSync(join(tmpdir(), "wharf-lb-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const dp = new HaproxyDataPlane({ dataDir: dir });
    defer(() => dp.close());
    const group = targetGroup("web", [target("127.0.0.1", b.port)], { healthCheck: healthCheck({ path: "/health", intervalSeconds: 1, timeoutSeconds: 1 }) });
    const port = await freePort();
    const healthy = new Promise<void>((resolve) => dp.onHealth((r) => r.state === "healthy" && resolve()));
    await dp.apply(desiredState(addr, [httpListener(port, group)], [group]));
    await waitEvent(healthy, { what: "target healthy", timeoutMs: 15_000 });
    const second = desiredState(addr, [httpListener(port, group)], [group]);
    second.loadBalancers.push({ ...desiredState("127.0.0.1", [httpListener(b.port, group)], [group], "lb2").loadBalancers[0] });
    await assert.rejects(dp.apply(second), /Address already in use/);
    const still = await get(addr, port, "/after");
    assert.equal(backendOf(still), "kept");
  });
});

describe("load balancer data plane: lb_cookie stickiness", () => {
  const defer = cleanupStack(after);
  it("pins a client with the AWSALB cookie, and target changes of a sticky group still apply (by reload)", async () => {
    const addr = ownLoopbackIp();
    const bs: Backend[] = [];
    for (const n of ["s1", "s2", "s3"]) {
      const b = await startBackend(n);
      defer(() => b.close());
      bs.push(b);
    }
    const dir = mkdtempSync(join(tmpdir(), "wharf-lb-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    const dp = new HaproxyDataPlane({ dataDir: dir });
    defer(() => dp.close());
    const hc = healthCheck({ path: "/health", intervalSeconds: 1, timeoutSeconds: 1 });
    const group = targetGroup("sticky", bs.slice(0, 2).map((b) => target("127.0.0.1", b.port)), { healthCheck: hc, stickiness: { type: "lb_cookie", durationSeconds: 600 } });
    const port = await freePort();
    const healthy = new Set<number>();
    dp.onHealth((r) => r.state === "healthy" && healthy.add(r.port));
    await dp.apply(desiredState(addr, [httpListener(port, group)], [group]));
    await waitFor(() => healthy.has(bs[0].port) && healthy.has(bs[1].port), { what: "both healthy", timeoutMs: 15_000 });
    const first = await get(addr, port, "/");
    const cookie = String(first.headers["set-cookie"]?.[0] ?? "");
    assert.match(cookie, /^AWSALB=[^;]+;.*Max-Age=600/i);
    const pinned = backendOf(first);
    for (let i = 0; i < 4; i++) assert.equal(backendOf(await get(addr, port, "/", { cookie: cookie.split(";")[0] })), pinned);
    const grown = { ...group, targets: [...group.targets, target("127.0.0.1", bs[2].port)] };
    await dp.apply(desiredState(addr, [httpListener(port, grown)], [grown]));
    await waitFor(() => healthy.has(bs[2].port), { what: "s3 healthy", timeoutMs: 15_000 });
    const seen = new Set<string | undefined>();
    await waitFor(async () => {
      seen.add(backendOf(await get(addr, port, "/")));
      return seen.has("s3");
    }, { what: "s3 takes new clients", timeoutMs: 15_000, detail: () => [...seen] });
  });
});
