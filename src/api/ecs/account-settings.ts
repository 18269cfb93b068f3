import type {
  DeleteAccountSettingRequest,
  ListAccountSettingsRequest,
  PutAccountSettingDefaultRequest,
  PutAccountSettingRequest,
  Setting,
  SettingName,
} from "@aws-sdk/client-ecs";
import { DEFAULT_REGION } from "../../config.js";
import { invalidParameter } from "../../core/errors.js";
import { decodeToken, page, pageSize } from "../../core/pagination.js";
import type { RequestContext } from "../../edge/service.js";
import type { EcsDeps } from "./deps.js";

/**
 * ECS account settings. A setting is explicit for one principal (user, role or root) in one
 * Region. What applies to a principal — its *effective* setting — is its own explicit value,
 * else the root user's (the account default, which PutAccountSettingDefault writes), else
 * ECS's built-in default. Stored as kind `account-setting`, id `REGION|PRINCIPAL|NAME`.
 */

interface SettingSpec {
  values: readonly string[];
  /** ECS's default today, for a principal and account with nothing set. */
  default: string;
  /** Only the root user may set it (ECS: the Fargate retirement wait period). */
  rootOnly?: boolean;
  /** Managed by AWS (GuardDuty): read-only, listed with type `aws_managed`. */
  awsManaged?: boolean;
  /** ECS no longer lets anyone turn these off. */
  cannotDisable?: boolean;
}

const ON_OFF = ["enabled", "disabled"] as const;

/** Every setting of the model's SettingName enum, with its values and ECS's current default. */
export const ACCOUNT_SETTINGS: Record<SettingName, SettingSpec> = {
  serviceLongArnFormat: { values: ON_OFF, default: "enabled", cannotDisable: true },
  taskLongArnFormat: { values: ON_OFF, default: "enabled", cannotDisable: true },
  containerInstanceLongArnFormat: { values: ON_OFF, default: "enabled", cannotDisable: true },
  awsvpcTrunking: { values: ON_OFF, default: "disabled" },
  containerInsights: { values: ["enabled", "disabled", "enhanced"], default: "disabled" },
  fargateFIPSMode: { values: ON_OFF, default: "disabled" },
  tagResourceAuthorization: { values: ["on", "off"], default: "on" },
  fargateTaskRetirementWaitPeriod: { values: ["0", "7", "14"], default: "7", rootOnly: true },
  guardDutyActivate: { values: ["on", "off"], default: "off", awsManaged: true },
  defaultLogDriverMode: { values: ["blocking", "non-blocking"], default: "non-blocking" },
  fargateEventWindows: { values: ON_OFF, default: "disabled" },
};

const SETTING_NAMES = (Object.keys(ACCOUNT_SETTINGS) as SettingName[]).sort();

/** A stored explicit setting. */
interface SettingDoc {
  name: SettingName;
  value: string;
  principalArn: string;
  region: string;
}

const PRINCIPAL_RE = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(root|user\/.+|role\/.+|assumed-role\/.+|federated-user\/.+)$/;

const recordId = (region: string, principalArn: string, name: string) => `${region}|${principalArn}|${name}`;
const scopeOf = (region: string, principalArn: string) => `${region}|${principalArn}`;
const rootOf = (accountId: string) => `arn:aws:iam::${accountId}:root`;
const typeOf = (name: SettingName): Setting["type"] => (ACCOUNT_SETTINGS[name].awsManaged ? "aws_managed" : "user");

interface Principal {
  arn: string;
  accountId: string;
  isRoot: boolean;
  /** Federated/assumed-role sessions follow the root user and cannot hold settings. */
  federated: boolean;
}

function resolvePrincipal(given: string | undefined, ctx: RequestContext): Principal {
  const arn = given ?? ctx.callerArn;
  const m = PRINCIPAL_RE.exec(arn);
  if (!m) {
    throw invalidParameter(`principalArn '${arn}' is not a valid user, role or root user ARN.`);
  }
  if (m[2] !== ctx.principal.accountId) {
    throw invalidParameter(`principalArn '${arn}' does not belong to account ${ctx.principal.accountId}.`);
  }
  return {
    arn,
    accountId: m[2],
    isRoot: m[3] === "root",
    federated: m[1] === "sts" || m[3]!.startsWith("federated-user/") || m[3]!.startsWith("assumed-role/"),
  };
}

function checkValue(name: SettingName, value: string): void {
  const spec = ACCOUNT_SETTINGS[name];
  if (spec.awsManaged) {
    throw invalidParameter(`The ${name} account setting is managed by AWS and is read-only.`);
  }
  if (spec.cannotDisable && value === "disabled") {
    throw invalidParameter("You can no longer disable Long Arn settings");
  }
  if (!spec.values.includes(value)) {
    throw invalidParameter(`Invalid value '${value}' for the ${name} account setting. Valid values: ${spec.values.join(", ")}.`);
  }
}

async function explicit(deps: EcsDeps, region: string, principalArn: string, name: string): Promise<SettingDoc | undefined> {
  return (await deps.store.get<SettingDoc>("account-setting", recordId(region, principalArn, name)))?.value;
}

/**
 * The setting that applies to `principalArn`: its own explicit value, else the account
 * default (the root user's), else ECS's built-in default. Other modules use this (e.g.
 * `awsvpcTrunking` for a container instance's ENI limit).
 */
export async function effectiveAccountSetting(
  deps: EcsDeps,
  name: SettingName,
  principalArn: string,
  region: string = DEFAULT_REGION,
): Promise<Setting> {
  const m = PRINCIPAL_RE.exec(principalArn);
  const root = m ? rootOf(m[2]!) : undefined;
  const own = m && m[1] === "iam" ? await explicit(deps, region, principalArn, name) : undefined;
  const fallback = !own && root ? await explicit(deps, region, root, name) : undefined;
  const value = own?.value ?? fallback?.value ?? ACCOUNT_SETTINGS[name].default;
  return { name, value, principalArn, type: typeOf(name) };
}

async function put(deps: EcsDeps, region: string, who: Principal, name: SettingName, value: string): Promise<Setting> {
  checkValue(name, value);
  if (who.federated) {
    throw invalidParameter("Federated users assume the account setting of the root user and can't have explicit account settings.");
  }
  if (ACCOUNT_SETTINGS[name].rootOnly && !who.isRoot) {
    throw invalidParameter(`You must use the root user when you set ${name}.`);
  }
  const doc: SettingDoc = { name, value, principalArn: who.arn, region };
  await deps.store.write([
    { op: "put", kind: "account-setting", id: recordId(region, who.arn, name), scope: scopeOf(region, who.arn), sort: name, value: doc },
  ]);
  return { name, value, principalArn: who.arn, type: typeOf(name) };
}

export async function putAccountSetting(deps: EcsDeps, input: PutAccountSettingRequest, ctx: RequestContext) {
  const who = resolvePrincipal(input.principalArn, ctx);
  return { setting: await put(deps, ctx.principal.region, who, input.name!, input.value!) };
}

/** Sets the account default: the root user's setting, which every principal without its own follows. */
export async function putAccountSettingDefault(deps: EcsDeps, input: PutAccountSettingDefaultRequest, ctx: RequestContext) {
  const root = resolvePrincipal(rootOf(ctx.principal.accountId), ctx);
  return { setting: await put(deps, ctx.principal.region, root, input.name!, input.value!) };
}

export async function deleteAccountSetting(deps: EcsDeps, input: DeleteAccountSettingRequest, ctx: RequestContext) {
  const who = resolvePrincipal(input.principalArn, ctx);
  const name = input.name!;
  if (ACCOUNT_SETTINGS[name].awsManaged) {
    throw invalidParameter(`The ${name} account setting is managed by AWS and is read-only.`);
  }
  const region = ctx.principal.region;
  const existing = await explicit(deps, region, who.arn, name);
  if (!existing) return { setting: await effectiveAccountSetting(deps, name, who.arn, region) };
  await deps.store.write([{ op: "delete", kind: "account-setting", id: recordId(region, who.arn, name) }]);
  return { setting: { name, value: existing.value, principalArn: who.arn, type: typeOf(name) } };
}

export async function listAccountSettings(deps: EcsDeps, input: ListAccountSettingsRequest, ctx: RequestContext) {
  if (input.value !== undefined && input.name === undefined) {
    throw invalidParameter("You must also specify an account setting name to use the value parameter.");
  }
  const size = pageSize(input.maxResults, 10, 10);
  const after = decodeToken(input.nextToken);
  const who = resolvePrincipal(input.principalArn, ctx);
  const region = ctx.principal.region;
  let settings: Setting[];
  if (input.effectiveSettings) {
    const names = input.name ? [input.name] : SETTING_NAMES;
    settings = await Promise.all(names.map((n) => effectiveAccountSetting(deps, n, who.arn, region)));
  } else {
    const rows = await deps.store.list<SettingDoc>("account-setting", { scope: scopeOf(region, who.arn) });
    settings = rows
      .map((r) => r.value)
      .filter((d) => !input.name || d.name === input.name)
      .map((d) => ({ name: d.name, value: d.value, principalArn: d.principalArn, type: typeOf(d.name) }));
  }
  const filtered = settings.filter(
    (s) => (input.value === undefined || s.value === input.value) && (after === undefined || s.name! > after),
  );
  const { items, nextToken } = page(filtered, size, (s) => s.name!);
  return { settings: items, ...(nextToken ? { nextToken } : {}) };
}
