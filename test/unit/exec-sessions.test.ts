import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { type AddressInfo, connect } from "node:net";
import type { Duplex } from "node:stream";
import { after, before, describe, it } from "node:test";
import { ExecSessions } from "../../src/api/exec-sessions.js";
import { waitFor } from "../helpers/wait.js";
import { EXEC_AGENT_PATH, EXEC_TOKEN_HEADER, openUpgrade, signedExecHeaders, UpgradeRefused } from "../../src/contracts/exec-stream.js";

/**
 * The control plane's splice of exec sessions, without Docker: a plain HTTP server hands its
 * upgrades to ExecSessions' route; "agent" and "CLI" ends are opened with the real clients.
 */
describe("exec sessions: the control plane's splice", () => {
  const keys = { accessKeyId: "AKIDEXECTEST", secretAccessKey: "secret-exec-test" };
  const woken: string[] = [];
  const sessions = new ExecSessions({
    clock: { now: () => Date.now() },
    random: Math.random,
    secrets: (id) => (id === keys.accessKeyId ? keys.secretAccessKey : undefined),
    wake: (arn) => woken.push(arn),
  });
  let server: Server;
  let base = "";
  const instance = "arn:aws:ecs:us-east-1:000000000000:container-instance/c/abc";
  const spec = { taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1", clusterArn: "arn:c", containerInstanceArn: instance, containerName: "app", command: ["sh"], callerArn: "arn:root" };

  before(async () => {
    const route = sessions.route();
    server = createServer((_req, res) => res.end());
    server.on("upgrade", (req, socket: Duplex, head: Buffer) => {
      if (!route(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    sessions.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const agentEnd = (sessionId: string, asInstance = instance, creds = keys) => {
    const url = new URL(`${EXEC_AGENT_PATH}${sessionId}`, base);
    return openUpgrade(url, signedExecHeaders(url, asInstance, creds, "us-east-1"));
  };
  const cliEnd = (sessionId: string, token: string) => openUpgrade(new URL(`/_wharf/exec/data-channel/${sessionId}`, base), { [EXEC_TOKEN_HEADER]: token });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail("not refused"),
      (e: Error) => {
        assert.ok(e instanceof UpgradeRefused, String(e));
        return { status: e.statusCode, code: e.code };
      },
    );
  const readSome = (s: Duplex) => new Promise<string>((resolve) => s.once("data", (c: Buffer) => resolve(c.toString())));

  it("lists a new session to its instance until the agent joins, wakes the instance, and pipes both ends", async () => {
    const { sessionId, tokenValue } = sessions.create(spec);
    assert.deepEqual(woken.at(-1), instance);
    assert.deepEqual(sessions.pendingFor(instance), [{ sessionId, taskArn: spec.taskArn, containerName: "app", command: ["sh"] }]);
    assert.deepEqual(sessions.pendingFor("arn:other"), []);
    // Either end may come first; each waits for the other before its 101.
    const agentP = agentEnd(sessionId);
    await new Promise((r) => setImmediate(r));
    const cli = await cliEnd(sessionId, tokenValue);
    const agent = await agentP;
    assert.deepEqual(sessions.pendingFor(instance), []);
    cli.socket.write("to the agent");
    assert.equal(await readSome(agent.socket), "to the agent");
    agent.socket.write("to the cli");
    assert.equal(await readSome(cli.socket), "to the cli");
    const closed = new Promise((r) => cli.socket.once("close", r));
    agent.socket.destroy();
    await closed;
  });

  it("refuses a wrong token, a second use, a foreign instance and unsigned agents", async () => {
    const { sessionId, tokenValue } = sessions.create(spec);
    assert.deepEqual(await refusal(cliEnd(sessionId, "wrong")), { status: 403, code: "AccessDeniedException" });
    assert.deepEqual(await refusal(agentEnd(sessionId, "arn:aws:ecs:us-east-1:000000000000:container-instance/c/other")), { status: 403, code: "AccessDeniedException" });
    const forged = await refusal(agentEnd(sessionId, instance, { accessKeyId: keys.accessKeyId, secretAccessKey: "not-the-secret" }));
    assert.equal(forged.status, 403);
    assert.equal(forged.code, "InvalidSignatureException");
    const unsigned = await refusal(openUpgrade(new URL(`${EXEC_AGENT_PATH}${sessionId}`, base), {}));
    assert.equal(unsigned.status, 403);
    const cli = cliEnd(sessionId, tokenValue);
    const agent = await agentEnd(sessionId);
    (await cli).socket.destroy();
    agent.socket.destroy();
    assert.deepEqual(await refusal(cliEnd(sessionId, tokenValue)), { status: 404, code: "InvalidParameterException" });
    assert.deepEqual(await refusal(agentEnd(sessionId)), { status: 404, code: "InvalidParameterException" });
  });

  it("an end that hangs up while waiting ends the session", async () => {
    const { sessionId, tokenValue } = sessions.create(spec);
    const url = new URL(`${EXEC_AGENT_PATH}${sessionId}`, base);
    const headers = { ...signedExecHeaders(url, instance, keys, "us-east-1"), host: url.host, connection: "Upgrade", upgrade: "wharf-exec" };
    const raw = connect(Number(url.port), "127.0.0.1");
    await new Promise((r) => raw.once("connect", r));
    raw.write(`GET ${url.pathname} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n`);
    await waitFor(async () => sessions.pendingFor(instance).length === 0 || undefined, { what: "the agent end to join", timeoutMs: 5_000 });
    assert.equal(sessions.size, 1);
    raw.destroy();
    await waitFor(async () => sessions.size === 0 || undefined, { what: "the session to end", timeoutMs: 5_000 });
    assert.deepEqual(await refusal(cliEnd(sessionId, tokenValue)), { status: 404, code: "InvalidParameterException" });
  });
});
