import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { LbRule } from "../../src/core/lb/data-plane-contract.js";
import { hostPatternRegex, pathPatternRegex, queryPatternRegex } from "../../src/core/lb/elb-patterns.js";
import { compileHaproxyConfig } from "../../src/core/lb/haproxy-config.js";
import { backendName, serverName } from "../../src/core/lb/haproxy-names.js";
import { ARN, desiredState, httpListener, target, targetGroup } from "./lb-fixtures.js";

const opts = { adminSocket: "/run/wharf/admin.sock" };
const web = targetGroup("web", [target("10.0.0.1", 8080), target("10.0.0.2", 8080)]);
const api = targetGroup("api", [target("10.0.0.3", 9000)], { algorithm: "least_outstanding_requests", slowStartSeconds: 30, stickiness: { type: "lb_cookie", durationSeconds: 86400 } });
const rule = (priority: number, action: LbRule["action"], path = `/p${priority}/*`): LbRule => ({ arn: `${ARN}:listener-rule/${priority}`, priority, conditions: [{ field: "path-pattern", values: [path] }], action });
const lines = (text: string, re: RegExp) => text.split("\n").filter((l) => re.test(l));

describe("haproxy.cfg compiler", () => {
  it("binds each listener on its load balancer's address, one backend per group", () => {
    const { text } = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, web)], [web, api]), opts);
    assert.match(text, /^ {2}bind 127\.0\.3\.4:80$/m);
    assert.match(text, /^ {2}master-worker$/m);
    assert.match(text, /^ {2}stats socket \/run\/wharf\/admin\.sock mode 600 level admin$/m);
    assert.match(text, new RegExp(`^backend ${backendName(web)}\\n  mode http\\n  balance roundrobin$`, "m"));
    assert.match(text, new RegExp(`^backend ${backendName(api)}\\n  mode http\\n  balance leastconn$`, "m"));
    assert.match(text, /cookie AWSALB insert indirect nocache maxlife 86400s/);
    assert.match(text, new RegExp(`server ${serverName(api.targets[0])} 10\\.0\\.0\\.3:9000 weight 100 slowstart 30s cookie [0-9a-f]{8}$`, "m"));
    assert.match(text, /^ {2}timeout client 60s$/m);
    assert.match(text, /option forwardfor/);
    assert.match(text, /X-Amzn-Trace-Id "Root=1-%\[date,bytes\(4,4\),hex,lower\]-/);
  });

  it("starts servers as the health checker says", () => {
    const { text } = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, web)], [web]), { ...opts, serverState: (_g, t) => (t.address === "10.0.0.2" ? "maint" : "ready") });
    assert.match(text, /10\.0\.0\.1:8080 weight 100$/m);
    assert.match(text, /10\.0\.0\.2:8080 weight 100 disabled$/m);
  });

  it("keeps the structure when only targets of a non-sticky group change (runtime API, no reload)", () => {
    const a = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, web)], [web, api]), opts);
    const moreWeb = { ...web, targets: [...web.targets, target("10.0.0.9", 8080)] };
    const b = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, web)], [moreWeb, api]), opts);
    assert.notEqual(a.text, b.text);
    assert.equal(a.structure, b.structure);
    const moreApi = { ...api, targets: [...api.targets, target("10.0.0.8", 9000)] };
    const c = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(80, web)], [web, moreApi]), opts);
    assert.notEqual(a.structure, c.structure, "a sticky group's servers need a reload (no cookie on dynamic servers in 2.6)");
    const d = compileHaproxyConfig(desiredState("127.0.3.4", [httpListener(81, web)], [web, api]), opts);
    assert.notEqual(a.structure, d.structure, "a listener change reloads");
  });

  it("serves TCP listeners in mode tcp and leaves out HTTPS with a reason", () => {
    const tcpTg = targetGroup("tcp", [target("10.0.0.5", 5432)], { protocol: "TCP" });
    const tcp = { ...httpListener(5432, tcpTg), protocol: "TCP" as const };
    const https = { ...httpListener(443, web), protocol: "HTTPS" as const, arn: "l-https" };
    const out = compileHaproxyConfig(desiredState("127.0.3.4", [tcp, https], [tcpTg, web]), opts);
    assert.match(out.text, new RegExp(`mode tcp\\n  bind 127\\.0\\.3\\.4:5432\\n  timeout client 350s\\n  default_backend ${backendName(tcpTg)}`));
    assert.doesNotMatch(out.text, /:443/);
    assert.deepEqual(out.skipped, [{ listenerArn: "l-https", reason: "HTTPS listeners are not served by this data plane" }]);
  });

  it("writes rules in priority order, the first match winning, then the default action", () => {
    const l = httpListener(80, web, {
      rules: [
        rule(30, { type: "redirect", statusCode: "HTTP_302", protocol: "HTTPS", port: "443" }),
        rule(10, { type: "forward", targetGroups: [{ arn: api.arn, weight: 1 }] }),
        rule(20, { type: "fixed-response", statusCode: "503", contentType: "text/plain", messageBody: 'down "$now"' }),
      ],
    });
    const { text } = compileHaproxyConfig(desiredState("127.0.3.4", [l], [web, api]), opts);
    const order = lines(text, /^ {2}# /).map((s) => s.trim());
    assert.deepEqual(order, ["# rule priority 10", "# rule priority 20", "# rule priority 30", "# default action"]);
    assert.match(text, /http-request set-var\(txn\.be\) str\(tg_api_[0-9a-f]+\) if r10_0 !picked/);
    assert.match(text, /http-request return status 503 content-type "text\/plain" string "down \\"\\\$now\\"" if r20_0 !picked/);
    assert.match(text, /http-request redirect location "https:\/\/%\[req\.hdr\(host\),field\(1,:\)\]:443\/%\[path,bytes\(1\)\]\?%\[query\]" code 302 if r30_0 \{ query -m len gt 0 \} !picked/);
    assert.match(text, /use_backend %\[var\(txn\.be\)\] if picked/);
  });

  it("splits weighted forwards over one random draw per request", () => {
    const l = httpListener(80, web, { defaultAction: { type: "forward", targetGroups: [{ arn: web.arn, weight: 1 }, { arn: api.arn, weight: 3 }] } });
    const { text } = compileHaproxyConfig(desiredState("127.0.3.4", [l], [web, api]), opts);
    assert.match(text, /http-request set-var\(txn\.w\) rand\(1000\)/);
    assert.match(text, /str\(tg_web_[0-9a-f]+\) if \{ var\(txn\.w\) -m int ge 0 \} \{ var\(txn\.w\) -m int lt 250 \} !picked/);
    assert.match(text, /str\(tg_api_[0-9a-f]+\) if \{ var\(txn\.w\) -m int ge 250 \} !picked/);
  });

  it("property: rules appear by ascending priority whatever order they come in", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 50000 }), { minLength: 1, maxLength: 12 }), (prios) => {
        const l = httpListener(80, web, { rules: prios.map((p) => rule(p, { type: "fixed-response", statusCode: "200" })) });
        const { text } = compileHaproxyConfig(desiredState("127.0.3.4", [l], [web]), opts);
        const seen = lines(text, /# rule priority/).map((s) => Number(s.split(" ").pop()));
        assert.deepEqual(seen, [...prios].sort((a, b) => a - b));
        // Every rule's action is guarded by `!picked` so an earlier forward wins.
        assert.equal(lines(text, /http-request return .* if r\d+_0 !picked$/).length, prios.length);
      }),
    );
  });

  it("is a config HAProxy accepts (haproxy -c)", () => {
    const l = httpListener(8080, web, {
      rules: [
        { arn: "r1", priority: 1, conditions: [{ field: "host-header", values: ["*.example.com", "a?.b"] }, { field: "source-ip", values: ["10.0.0.0/8", "::1/128"] }], action: { type: "forward", targetGroups: [{ arn: api.arn, weight: 2 }, { arn: web.arn, weight: 1 }] } },
        { arn: "r2", priority: 2, conditions: [{ field: "http-header", headerName: "User-Agent", values: ["*curl*"] }, { field: "query-string", values: [{ key: "v", value: "1" }, { value: "x*" }] }, { field: "http-request-method", values: ["GET", "HEAD"] }], action: { type: "fixed-response", statusCode: "200", contentType: "application/json", messageBody: '{"a": "100% $x \\ \'q\'"}' } },
        { arn: "r3", priority: 3, conditions: [{ field: "path-pattern", values: ["/old/*", "/it's"] }], action: { type: "redirect", statusCode: "HTTP_301", host: "#{host}.new", path: "/n/#{path}", query: "from=#{query}" } },
      ],
    });
    const dir = mkdtempSync(join(tmpdir(), "wharf-hacfg-"));
    try {
      const file = join(dir, "haproxy.cfg");
      writeFileSync(file, compileHaproxyConfig(desiredState("127.0.3.4", [l], [web, api]), { adminSocket: join(dir, "a.sock") }).text);
      execFileSync("haproxy", ["-c", "-q", "-f", file], { stdio: "pipe" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** ELB's glob semantics, written plainly: `*` any run, `?` one character. */
function globMatches(glob: string, s: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const k = `${i},${j}`;
    if (memo.has(k)) return memo.get(k)!;
    let r: boolean;
    if (i === glob.length) r = j === s.length;
    else if (glob[i] === "*") r = go(i + 1, j) || (j < s.length && go(i, j + 1));
    else r = j < s.length && (glob[i] === "?" || glob[i] === s[j]) && go(i + 1, j + 1);
    memo.set(k, r);
    return r;
  };
  return go(0, 0);
}

describe("ELB patterns as regexes", () => {
  const chars = fc.constantFrom("a", "b", "/", ".", "-", "(", "[", "$", "'", "\\", "+");
  const str = fc.array(chars, { maxLength: 8 }).map((a) => a.join(""));
  const glob = fc.array(fc.oneof(chars, fc.constantFrom("*", "?")), { maxLength: 6 }).map((a) => a.join(""));

  it("property: path-pattern regex matches exactly what ELB's glob matches", () => {
    fc.assert(fc.property(glob, str, (g, s) => assert.equal(new RegExp(pathPatternRegex(g)).test(s), globMatches(g, s), `${g} vs ${s}`)), { numRuns: 2000 });
  });

  it("host-header ignores case and the port", () => {
    const re = new RegExp(hostPatternRegex("*.Example.com"), "i");
    assert.ok(re.test("api.example.COM:8080"));
    assert.ok(!re.test("example.com"));
  });

  it("query-string wildcards stay inside one parameter", () => {
    const re = new RegExp(queryPatternRegex({ key: "a", value: "b*" }), "i");
    assert.ok(re.test("x=1&a=bcd"));
    assert.ok(re.test("A=B"));
    assert.ok(!re.test("a=c&x=b"));
    const anyKey = new RegExp(queryPatternRegex({ value: "z" }));
    assert.ok(anyKey.test("k=z&j=1"));
    assert.ok(!anyKey.test("z=k"));
  });
});
