import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { AccessLogEntry } from "../src/edge/access-log.js";
import { hex } from "./helpers/agent-fixtures.js";
import { AgentWorld } from "./helpers/agent-tasks.js";
import { ConsoleBrowser, consoleSkip } from "./helpers/console-browser.js";
import { exampleFile } from "./helpers/harness.js";

/**
 * The web console (console/, docs/console.md) in real Chromium (Debian's, driven headless by
 * playwright-core) against a running Wharf with a real agent and real Docker: every screen the
 * issue names, each action done by clicking, each result read off the page. With
 * WHARF_CONSOLE_SCREENSHOTS=1 a screenshot of each screen goes to docs/console/. The access log
 * proves the console made no unsigned API call.
 */
const skip = consoleSkip;
const IMAGE = "wharf-test/busybox:latest";
const TAIL_CMD = 'i=0; while true; do echo "console line $i"; i=$((i+1)); sleep 1; done';

describe("web console in Chromium", { skip, timeout: 300_000 }, () => {
  const w = new AgentWorld();
  const access: AccessLogEntry[] = [];
  const downloads = mkdtempSync(join(tmpdir(), "wharf-console-"));
  let b: ConsoleBrowser;
  let page: ConsoleBrowser["page"];
  let url = "";
  let pageErrors: string[] = [];
  let refused = new Set<string>();
  let taskId = "";
  const tailFamily = `console-tail-${hex(3)}`;
  const logGroup = `/wharf-test/console-${hex(3)}`;

  const shot = (name: string) => b.shot(name);
  const open = (hash: string) => b.open(hash);
  const heading = (text: string) => b.heading(text);

  before(async () => {
    await w.start("console", { accessLog: (e) => access.push(e), serviceParams: { healthyAfterMs: 1000 } });
    await w.agent();
    url = w.h.server.url;
    b = await new ConsoleBrowser(url, access).launch();
    page = b.page;
    pageErrors = b.pageErrors;
    refused = b.refused;
  });
  after(async () => {
    await b?.close();
    await w.close();
    rmSync(downloads, { recursive: true, force: true });
  });

  it("signs in with an access key and lists the clusters with their counts", async (t) => {
    await page.goto(`${url}/`);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    const firstScreenMs = await page.evaluate(() => Math.round(performance.now()));
    t.diagnostic(`first screen (sign-in form) interactive after ${firstScreenMs} ms`);
    await shot("sign-in");
    const { accessKeyId, secretAccessKey } = w.h.server.credentials;
    // A wrong secret is refused in words, by the API.
    await page.getByLabel("Access key ID").fill(accessKeyId);
    await page.getByLabel("Secret access key").fill("not-the-secret");
    const before = access.length;
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText(/SignatureDoesNotMatch/).first().waitFor();
    // The refused call (its signature did not verify, so it has no principal) is left out of the check at the end.
    for (const e of access.slice(before)) if (e.status === 403 && !e.accessKeyId) refused.add(e.requestId);
    assert.equal(refused.size, 1);
    pageErrors.length = 0; // the browser logs the refused call's 403 itself
    await page.getByLabel("Secret access key").fill(secretAccessKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await heading("Clusters").waitFor();
    await page.getByRole("link", { name: w.cluster, exact: true }).waitFor();
    const stored = await page.evaluate(() => ({ session: sessionStorage.length, local: localStorage.length }));
    assert.deepEqual(stored, { session: 1, local: 0 });
    await shot("clusters");
    await page.getByRole("link", { name: w.cluster, exact: true }).click();
    await page.getByRole("tab", { name: "Container instances" }).click();
    await page.getByTestId("instances").getByText("Drain").waitFor();
    assert.match(page.url(), new RegExp(`#/clusters/${w.cluster}/instances$`));
    await shot("container-instances");
  });

  it("opens the seed's dogs task definition, downloads both JSON forms and copies it", async () => {
    const seed = JSON.parse(readFileSync(exampleFile("dogs-ec2-awsvpc.json"), "utf8"));
    await w.h.ecs.send(new RegisterTaskDefinitionCommand(seed));
    await open("#/task-definitions");
    await page.getByRole("link", { name: "dogsdef", exact: true }).click();
    await page.getByRole("link", { name: "dogsdef:1", exact: true }).click();
    await heading("dogsdef:1").waitFor();
    await page.getByTestId("td-json").getByText(/"taskDefinitionArn"/).waitFor();
    await shot("task-definition");

    const save = async (button: string) => {
      const [d] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
      const path = join(downloads, d.suggestedFilename());
      await d.saveAs(path);
      return { name: d.suggestedFilename(), path, json: JSON.parse(readFileSync(path, "utf8")) };
    };
    const full = await save("Download JSON");
    assert.equal(full.name, "dogsdef-revision1.json");
    assert.match(full.json.taskDefinitionArn, /^arn:aws:ecs:us-east-1:\d{12}:task-definition\/dogsdef:1$/);
    assert.equal(full.json.revision, 1);
    assert.equal(full.json.status, "ACTIVE");
    assert.deepEqual(full.json.compatibilities.sort(), ["EC2"]);
    assert.equal(full.json.containerDefinitions[0].image, seed.containerDefinitions[0].image);

    const cli = await save("Download AWS CLI input");
    assert.equal(cli.name, "dogsdef-revision1-cli-input.json");
    for (const k of ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"]) {
      assert.equal(k in cli.json, false, `${k} is describe-only`);
    }
    for (const k of ["family", "taskRoleArn", "executionRoleArn", "networkMode", "cpu", "memory", "requiresCompatibilities", "runtimePlatform"]) {
      assert.deepEqual(cli.json[k], seed[k], k);
    }
    assert.deepEqual(cli.json.containerDefinitions[0].portMappings, seed.containerDefinitions[0].portMappings);
    // What it is for: the unchanged AWS CLI registers it as the next revision.
    const reg = await w.h.aws("ecs", "register-task-definition", "--cli-input-json", `file://${cli.path}`);
    assert.equal(reg.taskDefinition.revision, 2);

    await page.getByRole("button", { name: "Copy to clipboard" }).click();
    await page.getByText("The task definition JSON is copied to the clipboard.").waitFor();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.deepEqual(copied, full.json);
  });

  it("creates a new revision from edited JSON, with the API's validation error shown inline first", async () => {
    await open("#/task-definitions/dogsdef/2");
    await heading("dogsdef:2").waitFor();
    await page.getByRole("button", { name: "Create new revision" }).click();
    const editor = page.getByRole("textbox", { name: "Task definition JSON" });
    const text = await editor.inputValue();
    const bad = JSON.parse(text);
    bad.networkMode = "bogus";
    await editor.fill(JSON.stringify(bad, null, 2));
    const errorsBefore = pageErrors.length;
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.getByText(/networkMode/).filter({ hasText: /bogus|enum|value/i }).first().waitFor();
    // The browser itself logs the refused call's 400; that one is expected.
    const logged = pageErrors.splice(errorsBefore);
    assert.deepEqual(logged.filter((m) => !/status of 400/.test(m)), []);
    await shot("new-revision-error");
    await editor.fill(text.replace('"memory": "1024"', '"memory": "2048"'));
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await heading("dogsdef:3").waitFor();
    await page.getByText("Registered dogsdef:3.").waitFor();
    const { taskDefinition } = await w.h.aws("ecs", "describe-task-definition", "--task-definition", "dogsdef:3");
    assert.equal(taskDefinition.memory, "2048");
  });

  it("runs a task, watches it reach RUNNING and reads its live log lines", async () => {
    await w.h.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: tailFamily,
        containerDefinitions: [
          {
            name: "app",
            image: IMAGE,
            memory: 32,
            essential: true,
            command: ["sh", "-c", TAIL_CMD],
            logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logGroup, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true" } },
          },
        ],
      }),
    );
    await open(`#/task-definitions/${tailFamily}/1`);
    await page.getByRole("button", { name: "Run task" }).click();
    await page.getByLabel("Cluster").fill(w.cluster);
    await page.getByTestId("run-task-submit").click();
    const link = page.getByRole("link", { name: /^Task [0-9a-f]{32}$/ });
    taskId = (await link.innerText()).replace("Task ", "");
    await link.click();
    await page.getByTestId("task-status").getByText("RUNNING").waitFor({ timeout: 60_000 });
    await page.getByTestId("log-tail").getByText(/console line 2/).waitFor({ timeout: 60_000 });
    await shot("task");
  });

  it("updates a service and watches its deployment complete on the timeline", async () => {
    const service = `web-${hex(3)}`;
    await w.h.ecs.send(new CreateServiceCommand({ cluster: w.cluster, serviceName: service, taskDefinition: tailFamily, desiredCount: 1 }));
    await open(`#/clusters/${w.cluster}/services/${service}`);
    await heading(service).waitFor();
    await page.getByTestId("timeline-status").getByText("SUCCESSFUL").waitFor({ timeout: 90_000 });
    const first = (await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [service] }))).services![0]!.deployments![0]!.id!;
    await page.getByRole("button", { name: "Update service" }).click();
    await page.getByLabel("Desired tasks").fill("2");
    await page.getByText("Force new deployment").click();
    await page.getByTestId("update-submit").click();
    await page.getByText(new RegExp(`Updated ${service}: ${tailFamily}:1, desired 2, deployment ecs-svc/`)).waitFor();
    const primary = (await w.h.ecs.send(new DescribeServicesCommand({ cluster: w.cluster, services: [service] }))).services![0]!.deployments!.find((d) => d.status === "PRIMARY")!.id!;
    assert.notEqual(primary, first);
    const timeline = page.getByTestId("timeline");
    await timeline.getByText(new RegExp(primary)).waitFor({ timeout: 30_000 });
    await timeline.getByTestId("timeline-status").getByText("SUCCESSFUL").waitFor({ timeout: 120_000 });
    await page.getByTestId("service-running").getByText("2", { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await timeline.locator("svg rect").count() >= 2, true);
    await shot("service");
  });

  it("shows the reason a task cannot be placed", async () => {
    const family = `console-huge-${hex(3)}`;
    await w.h.ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "app", image: IMAGE, memory: 4_000_000, essential: true }] }));
    await open(`#/task-definitions/${family}/1`);
    await page.getByRole("button", { name: "Run task" }).click();
    await page.getByLabel("Cluster").fill(w.cluster);
    await page.getByTestId("run-task-submit").click();
    await page.getByText("Failure: RESOURCE:MEMORY").first().waitFor();
    const explain = page.getByTestId("explain");
    await explain.getByText(/RESOURCE:MEMORY: needs 4000000 MiB/).waitFor();
    await explain.getByText(/Would place 0 of 1/).waitFor();
    await shot("explain");
  });

  it("stops a task and shows why it stopped", async () => {
    await open(`#/clusters/${w.cluster}/tasks/${taskId}`);
    await page.getByTestId("task-status").getByText("RUNNING").waitFor();
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await page.getByText(`Task ${taskId} is stopping.`).waitFor();
    await page.getByTestId("task-status").getByText("STOPPED").waitFor({ timeout: 60_000 });
    await page.getByText("Stopped from the Wharf console").waitFor();
    await shot("task-stopped");
  });

  it("lists log groups and streams, tails a stream and filters the group", async () => {
    await open("#/logs");
    await page.getByRole("link", { name: logGroup, exact: true }).click();
    await page.getByRole("link", { name: `ecs/app/${taskId}`, exact: true }).waitFor();
    await page.getByLabel("Filter pattern").fill('"console line 1"');
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await page.getByTestId("filter-results").getByText(/console line 1/).first().waitFor();
    await shot("logs");
    await page.getByRole("link", { name: `ecs/app/${taskId}`, exact: true }).click();
    await page.getByTestId("log-tail").getByText(/console line 0/).waitFor();
  });

  it("made no unsigned API call and logged no console error", () => {
    const api = access.filter((e) => !(e.method === "GET" || e.method === "HEAD"));
    assert.ok(api.length > 20, `API calls seen: ${api.length}`);
    b.assertAllSigned(["ecs:DescribeTaskDefinition", "ecs:RunTask", "ecs:UpdateService", "ecs:StopTask", "logs:GetLogEvents", "logs:FilterLogEvents", "sts:GetCallerIdentity"]);
    for (const path of ["/_wharf/explain", "/_wharf/service-deployment-timeline"]) {
      assert.ok(api.some((e) => e.path === path && e.accessKeyId && e.status === 200), path);
    }
  });
});
