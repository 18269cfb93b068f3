import {
  DeleteAccountSettingCommand,
  ListAccountSettingsCommand,
  paginateListAccountSettings,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  type Setting,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { effectiveAccountSetting } from "../src/api/ecs/account-settings.js";
import { startTestWharf, type TestWharf } from "./helpers/harness.js";

const ROOT = "arn:aws:iam::000000000000:root";
const ALICE = "arn:aws:iam::000000000000:user/alice";
const BOB = "arn:aws:iam::000000000000:role/bob";

describe("account settings", () => {
  let w: TestWharf;
  before(async () => (w = await startTestWharf()));
  after(async () => w.close());

  const effective = async (principalArn?: string): Promise<Map<string, Setting>> => {
    const all: Setting[] = [];
    for await (const p of paginateListAccountSettings(
      { client: w.ecs, pageSize: 3 },
      { effectiveSettings: true, ...(principalArn ? { principalArn } : {}) },
    )) {
      all.push(...(p.settings ?? []));
    }
    return new Map(all.map((s) => [s.name!, s]));
  };

  it("lists ECS's defaults as effective settings, paginated by 10 at most", async () => {
    const first = await w.ecs.send(new ListAccountSettingsCommand({ effectiveSettings: true }));
    assert.equal(first.settings?.length, 10);
    assert.ok(first.nextToken);
    const eff = await effective();
    assert.equal(eff.size, 11);
    assert.equal(eff.get("serviceLongArnFormat")?.value, "enabled");
    assert.equal(eff.get("taskLongArnFormat")?.value, "enabled");
    assert.equal(eff.get("awsvpcTrunking")?.value, "disabled");
    assert.equal(eff.get("containerInsights")?.value, "disabled");
    assert.equal(eff.get("fargateTaskRetirementWaitPeriod")?.value, "7");
    assert.equal(eff.get("guardDutyActivate")?.type, "aws_managed");
    assert.equal(eff.get("awsvpcTrunking")?.type, "user");
    assert.equal(eff.get("awsvpcTrunking")?.principalArn, ROOT);
    // Nothing explicit yet: the non-effective list is empty.
    const none = await w.ecs.send(new ListAccountSettingsCommand({}));
    assert.deepEqual(none.settings, []);
    assert.equal(none.nextToken, undefined);
  });

  it("principal settings override the account default, which overrides ECS's default", async () => {
    const d = await w.ecs.send(new PutAccountSettingDefaultCommand({ name: "awsvpcTrunking", value: "enabled" }));
    assert.deepEqual(d.setting, { name: "awsvpcTrunking", value: "enabled", principalArn: ROOT, type: "user" });
    const a = await w.ecs.send(
      new PutAccountSettingCommand({ name: "awsvpcTrunking", value: "disabled", principalArn: ALICE }),
    );
    assert.equal(a.setting?.principalArn, ALICE);
    assert.equal((await effective(ALICE)).get("awsvpcTrunking")?.value, "disabled");
    assert.equal((await effective(BOB)).get("awsvpcTrunking")?.value, "enabled");
    assert.equal((await effective()).get("awsvpcTrunking")?.value, "enabled");

    const deps = w.server.deps;
    assert.equal((await effectiveAccountSetting(deps, "awsvpcTrunking", ALICE)).value, "disabled");
    assert.equal((await effectiveAccountSetting(deps, "awsvpcTrunking", BOB)).value, "enabled");
    assert.equal((await effectiveAccountSetting(deps, "awsvpcTrunking", BOB, "eu-west-1")).value, "disabled");

    // Explicit listing for Alice shows only her own setting; name/value filters apply.
    const mine = await w.ecs.send(new ListAccountSettingsCommand({ principalArn: ALICE }));
    assert.deepEqual(mine.settings, [{ name: "awsvpcTrunking", value: "disabled", principalArn: ALICE, type: "user" }]);
    const byValue = await w.ecs.send(
      new ListAccountSettingsCommand({ effectiveSettings: true, name: "awsvpcTrunking", value: "enabled", principalArn: ALICE }),
    );
    assert.deepEqual(byValue.settings, []);

    const del = await w.ecs.send(new DeleteAccountSettingCommand({ name: "awsvpcTrunking", principalArn: ALICE }));
    assert.equal(del.setting?.value, "disabled");
    assert.equal((await effective(ALICE)).get("awsvpcTrunking")?.value, "enabled");
    await w.ecs.send(new DeleteAccountSettingCommand({ name: "awsvpcTrunking", principalArn: ROOT }));
    assert.equal((await effective(ALICE)).get("awsvpcTrunking")?.value, "disabled");
  });

  it("validates values per setting", async () => {
    const bad = async (name: string, value: string, principalArn?: string) =>
      assert.rejects(
        w.ecs.send(new PutAccountSettingCommand({ name: name as never, value, ...(principalArn ? { principalArn } : {}) })),
        { name: "InvalidParameterException" },
        `${name}=${value}`,
      );
    await bad("containerInsights", "on");
    await bad("serviceLongArnFormat", "disabled");
    await bad("tagResourceAuthorization", "enabled");
    await bad("fargateTaskRetirementWaitPeriod", "3");
    await bad("fargateTaskRetirementWaitPeriod", "14", ALICE); // root only
    await bad("guardDutyActivate", "on");
    await bad("defaultLogDriverMode", "async");
    await bad("awsvpcTrunking", "enabled", "arn:aws:iam::123456789012:user/other-account");
    await bad("awsvpcTrunking", "enabled", "not-an-arn");
    await bad("notASetting", "enabled");
    const ok = await w.ecs.send(new PutAccountSettingCommand({ name: "containerInsights", value: "enhanced" }));
    assert.equal(ok.setting?.principalArn, ROOT, "defaults to the caller (the root user)");
    const ok2 = await w.ecs.send(new PutAccountSettingCommand({ name: "fargateTaskRetirementWaitPeriod", value: "14" }));
    assert.equal(ok2.setting?.value, "14");
    await assert.rejects(w.ecs.send(new ListAccountSettingsCommand({ value: "enabled" })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(w.ecs.send(new ListAccountSettingsCommand({ maxResults: 11 })), {
      name: "InvalidParameterException",
    });
  });

  it("works through the aws CLI (which auto-paginates)", async () => {
    await w.aws("ecs", "put-account-setting", "--name", "fargateEventWindows", "--value", "enabled");
    const out = await w.aws("ecs", "list-account-settings", "--effective-settings", "--page-size", "2");
    assert.equal(out.settings.length, 11);
    assert.equal(out.settings.find((s: Setting) => s.name === "fargateEventWindows").value, "enabled");
    const err = await w.awsError("ecs", "put-account-setting", "--name", "taskLongArnFormat", "--value", "disabled");
    assert.equal(err.code, "InvalidParameterException");
    assert.match(err.stderr, /You can no longer disable Long Arn settings/);
  });
});
