import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { volumeFileSystemId } from "../src/core/compose/index.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld, defaultSubnetIds } from "./helpers/agent-tasks.js";
import { runWharf, tempDir, type CliResult } from "./helpers/wharf-cli.js";
import { waitFor } from "./helpers/wait.js";

const run = promisify(execFile);

/**
 * `wharf compose` as a user meets it (issue 21's Done-means): the real CLI (bin/wharf.js) against
 * a Wharf with its HAProxy load balancers, its DNS server and a real Fargate agent on the local
 * Docker Engine. A three-service file — `web` published on port 80 (load balancer), `api` reached
 * by name through Cloud Map, `store` serving a named volume — goes `up`; the page answers through
 * the printed `curl --resolve` line and shows what web fetched from api, which fetched it from
 * store. `ps` and `logs` show the services. Editing api's environment and running `up` again rolls
 * api only. `down` removes everything up made and keeps the named volume's data, as
 * `docker compose down` keeps named volumes.
 */

const composeFile = (message: string) => `
services:
  web:
    image: wharf-test/busybox:latest
    ports: ["80:80"]
    depends_on: [api]
    stop_grace_period: 1s
    command:
      - sh
      - -c
      - |
        mkdir -p /w/cgi-bin
        echo web-ok > /w/index.html
        printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\necho "web got: $$(wget -qO- http://api:8080/cgi-bin/data)"\\n' > /w/cgi-bin/page
        chmod +x /w/cgi-bin/page
        echo web starting
        exec httpd -f -p 80 -h /w
  api:
    image: wharf-test/busybox:latest
    expose: [8080]
    depends_on: [store]
    stop_grace_period: 1s
    environment:
      MESSAGE: ${message}
    command:
      - sh
      - -c
      - |
        mkdir -p /w/cgi-bin
        printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\necho "api says $$MESSAGE, store has $$(wget -qO- http://store:6379/boot.txt)"\\n' > /w/cgi-bin/data
        chmod +x /w/cgi-bin/data
        echo "api starting with $$MESSAGE"
        exec httpd -f -p 8080 -h /w
  store:
    image: wharf-test/busybox:latest
    expose: [6379]
    stop_grace_period: 1s
    volumes: ["data:/data"]
    command:
      - sh
      - -c
      - |
        echo persisted > /data/boot.txt
        echo store ready
        exec httpd -f -p 6379 -h /data
volumes:
  data: {}
`;

describe("wharf compose up / ps / logs / up again / down (real Docker, HAProxy, Wharf's DNS)", () => {
  const w = new AgentWorld();
  const project = `cmp-${hex(3)}`;
  const dir = tempDir("wharf-compose-");
  let env: NodeJS.ProcessEnv = {};
  const file = join(dir.dir, "compose.yaml");

  before(async () => {
    await w.start("compose");
    w.defer(() => dir.remove());
    // The subnets' Docker networks go at the end (the tasks run in the default VPC's subnets).
    w.subnets(...(await defaultSubnetIds(w.h)));
    await w.agent({ fargate: true });
    env = { ...w.h.awsEnv, HOME: dir.dir };
    // If the test fails half-way, down still removes what up made.
    w.defer(() => compose("down", "--wait-timeout", "60"));
  });
  after(() => w.close());

  const compose = (...args: string[]): Promise<CliResult> => runWharf(["compose", "-f", file, "-p", project, ...args], { env, cwd: dir.dir });
  const ok = async (...args: string[]): Promise<CliResult> => {
    const r = await compose(...args);
    assert.equal(r.code, 0, `wharf compose ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };
  const curlLine = (stdout: string): string[] => {
    const m = /curl --resolve (\S+) (\S+)/.exec(stdout);
    assert.ok(m, `up printed no curl line: ${stdout}`);
    return ["--resolve", m[1]!, m[2]!];
  };
  const page = async (resolve: string[], wanted: RegExp): Promise<string> =>
    waitFor(
      async () => {
        const url = `${resolve[2]!.replace(/\/$/, "")}/cgi-bin/page`;
        const { stdout } = await run("curl", ["-sS", "--max-time", "5", resolve[0]!, resolve[1]!, url]);
        return wanted.test(stdout) ? stdout : undefined;
      },
      { what: `the page through the load balancer to match ${wanted}`, timeoutMs: 60_000, intervalMs: 500 },
    );
  const services = async () => {
    const r = await w.h.aws("ecs", "describe-services", "--cluster", project, "--services", "web", "api", "store");
    return Object.fromEntries((r.services as { serviceName: string; taskDefinition: string; deployments: { id: string }[] }[]).map((s) => [s.serviceName, s]));
  };

  it("up, ps, logs, a changed up rolling one service, down", { timeout: 600_000 }, async () => {
    writeFileSync(file, composeFile("v1"));
    const up = await ok("up", "--wait-timeout", "240");
    // Progress lines on stderr, the URL on stdout.
    for (const re of [/service store created/, /service api created/, /service web created/, /load balancer \S+ \(application\) created/, /web: 1\/1 running/]) assert.match(up.stderr, re);
    assert.match(up.stdout, /^web: http:\/\/\S+\/$/m);
    const resolve = curlLine(up.stdout);
    assert.match(await page(resolve, /api says v1/), /^web got: api says v1, store has persisted$/m);

    const ps = await ok("ps");
    for (const svc of ["web", "api", "store"]) assert.match(ps.stdout, new RegExp(`^${svc}\\s+${project}-${svc}:1\\s+1\\s+1\\s+ACTIVE`, "m"), ps.stdout);
    assert.match(ps.stdout, /^web .*:80->80\/tcp$/m);

    const logs = await waitFor(
      async () => {
        const r = await ok("logs");
        return /^store \| store ready$/m.test(r.stdout) && /^api\s+\| api starting with v1$/m.test(r.stdout) && /^web\s+\| web starting$/m.test(r.stdout) ? r.stdout : undefined;
      },
      { what: "every service's first line in wharf compose logs", timeoutMs: 60_000, intervalMs: 1000 },
    );
    assert.doesNotMatch(logs, /^web\s+\| api starting/m, "each line is prefixed with its own service");
    const onlyApi = await ok("logs", "api");
    assert.match(onlyApi.stdout, /^api \| api starting with v1$/m);
    assert.doesNotMatch(onlyApi.stdout, /^(web|store)/m);

    // The same file again changes nothing.
    const before1 = await services();
    const again = await ok("up", "--wait-timeout", "120");
    for (const svc of ["web", "api", "store"]) assert.match(again.stderr, new RegExp(`service ${svc} unchanged \\(${project}-${svc}:1\\)`));

    // api's environment edited: only api rolls.
    writeFileSync(file, composeFile("v2"));
    const changed = await ok("up", "--wait-timeout", "240");
    assert.match(changed.stderr, new RegExp(`service api updated \\(${project}-api:1 → ${project}-api:2\\)`));
    assert.match(changed.stderr, /service web unchanged/);
    assert.match(changed.stderr, /service store unchanged/);
    const after1 = await services();
    assert.match(after1.api!.taskDefinition, /:2$/);
    for (const svc of ["web", "store"]) {
      assert.equal(after1[svc]!.taskDefinition, before1[svc]!.taskDefinition, `${svc}'s task definition untouched`);
      assert.deepEqual(after1[svc]!.deployments.map((d) => d.id), before1[svc]!.deployments.map((d) => d.id), `${svc}'s deployments untouched`);
    }
    assert.notDeepEqual(after1.api!.deployments.map((d) => d.id), before1.api!.deployments.map((d) => d.id));
    const families = await w.h.aws("ecs", "list-task-definitions", "--family-prefix", `${project}-web`);
    assert.equal(families.taskDefinitionArns.length, 1, "web has one revision");
    assert.match(await page(curlLine(changed.stdout), /api says v2/), /^web got: api says v2, store has persisted$/m);

    const lbName = /load balancer (\S+) \(application\) created/.exec(up.stderr)![1]!;
    // down -v cannot remove the named volume (no EFS API): refused before anything is removed.
    const downV = await compose("down", "-v");
    assert.equal(downV.code, 1, downV.stderr);
    assert.match(downV.stderr, /down --volumes is not built: .*data: fs-[0-9a-f]{17}.*no EFS API/);
    assert.equal((await services()).web!.taskDefinition, after1.web!.taskDefinition, "nothing removed by the refused down -v");

    const down = await ok("down", "--wait-timeout", "240");
    assert.match(down.stderr, /project \S+ removed/);
    assert.match(down.stderr, /named volume data kept/);
    // Nothing up made is left.
    const left = await w.h.aws("ecs", "describe-services", "--cluster", project, "--services", "web", "api", "store").catch((e: Error) => ({ error: e.message }));
    assert.ok(!("services" in left) || (left.services as { status: string }[]).every((s) => s.status === "INACTIVE"), JSON.stringify(left));
    const clusters = await w.h.aws("ecs", "describe-clusters", "--clusters", project);
    assert.ok((clusters.clusters as { status: string }[]).every((c) => c.status === "INACTIVE"), JSON.stringify(clusters));
    for (const fam of ["web", "api", "store"]) {
      for (const status of ["ACTIVE", "INACTIVE"]) {
        const tds = await w.h.aws("ecs", "list-task-definitions", "--family-prefix", `${project}-${fam}`, "--status", status);
        assert.deepEqual(tds.taskDefinitionArns, [], `${fam} ${status} revisions left`);
      }
    }
    assert.equal((await w.h.awsError("elbv2", "describe-load-balancers", "--names", lbName)).code, "LoadBalancerNotFound");
    assert.equal((await w.h.awsError("elbv2", "describe-target-groups", "--names", `${project}-web-80`)).code, "TargetGroupNotFound");
    const namespaces = await w.h.aws("servicediscovery", "list-namespaces");
    assert.ok(!(namespaces.Namespaces as { Name: string }[]).some((n) => n.Name === `${project}.local`), "namespace deleted");
    const groups = await w.h.aws("ec2", "describe-security-groups", "--filters", `Name=group-name,Values=${project}-default`);
    assert.deepEqual(groups.SecurityGroups, []);
    const logGroups = await w.h.aws("logs", "describe-log-groups", "--log-group-name-prefix", `/docker-compose/${project}`);
    assert.deepEqual(logGroups.logGroups, []);
    // The named volume's data stays (as `docker compose down` without -v keeps named volumes).
    const kept = join(w.agentDir, "efs", volumeFileSystemId(project, "data"), "boot.txt");
    assert.ok(existsSync(kept), `${kept} kept`);
    assert.equal(readFileSync(kept, "utf8"), "persisted\n");
  });
});
