import type {
  DeleteParameterRequest,
  DeleteParametersRequest,
  GetParameterRequest,
  GetParametersRequest,
  Parameter,
  PutParameterRequest,
} from "@aws-sdk/client-ssm";
import type { Principal } from "../../core/arn.js";
import {
  checkParameterName,
  latest,
  type ParameterDoc,
  parameterArn,
  parameterNotFound,
  type ParameterTier,
  type ParameterType,
  type ParameterVersion,
  parseSelector,
  putVersion,
  selectVersion,
} from "../../core/ssm/parameters.js";
import { AwsError } from "../../core/errors.js";
import type { RequestContext } from "../../edge/service.js";
import { getParameterDoc, nameOf, PARAMETER_KIND, paramId, paramLock, putParameterDoc, type SsmDeps } from "./deps.js";
import { checkSsmTags } from "./tags.js";

/** A version as GetParameter(s) and GetParametersByPath answer it; a SecureString opened only WithDecryption. */
export function renderParameter(deps: SsmDeps, doc: ParameterDoc, v: ParameterVersion, withDecryption: boolean, selector?: string): Parameter {
  return {
    Name: doc.name,
    Type: v.type,
    Value: v.type === "SecureString" && withDecryption ? deps.box.open(v.value) : v.value,
    Version: v.version,
    ...(selector ? { Selector: selector } : {}),
    LastModifiedDate: v.lastModifiedDate as unknown as Date,
    ARN: parameterArn(doc.accountId, doc.region, doc.name),
    DataType: v.dataType,
  };
}

export async function putParameter(deps: SsmDeps, input: PutParameterRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const name = nameOf(input.Name!, p);
  checkParameterName(name);
  if (input.Policies !== undefined) {
    throw new AwsError("UnsupportedFeatureException", "Parameter policies (Expiration, ExpirationNotification, NoChangeNotification) are not supported by Wharf.");
  }
  if (input.Overwrite && input.Tags?.length) {
    throw new AwsError("ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
  }
  const tags = checkSsmTags(input.Tags ?? []);
  const plain = input.Value!;
  return deps.lock(paramLock(p.accountId, p.region, name), async () => {
    const existing = await getParameterDoc(deps, p.accountId, p.region, name);
    const type = (input.Type ?? (existing && latest(existing).type)) as ParameterType | undefined;
    const doc = putVersion(
      existing,
      {
        name,
        ...(input.Type ? { type: input.Type as ParameterType } : {}),
        value: type === "SecureString" ? deps.box.seal(plain) : plain,
        plainValue: plain,
        plainLength: plain.length,
        ...(input.KeyId !== undefined ? { keyId: input.KeyId } : {}),
        ...(input.Description !== undefined ? { description: input.Description } : {}),
        ...(input.AllowedPattern !== undefined ? { allowedPattern: input.AllowedPattern } : {}),
        ...(input.Tier ? { tier: input.Tier as ParameterTier | "Intelligent-Tiering" } : {}),
        ...(input.DataType !== undefined ? { dataType: input.DataType } : {}),
        overwrite: input.Overwrite ?? false,
        user: ctx.callerArn,
      },
      { accountId: p.accountId, region: p.region, name, tags },
      deps.clock.now() / 1000,
    );
    await putParameterDoc(deps, doc);
    const v = latest(doc);
    return { Version: v.version, Tier: v.tier };
  });
}

/** The parameter and version a selector names; ParameterNotFound / ParameterVersionNotFound otherwise. */
async function select(deps: SsmDeps, given: string, p: Principal): Promise<{ doc: ParameterDoc; v: ParameterVersion; selector?: string }> {
  const sel = parseSelector(given);
  const doc = await getParameterDoc(deps, p.accountId, p.region, nameOf(sel.name, p));
  if (!doc) throw parameterNotFound();
  return { doc, v: selectVersion(doc, sel), ...(sel.suffix ? { selector: sel.suffix } : {}) };
}

export async function getParameter(deps: SsmDeps, input: GetParameterRequest, ctx: RequestContext) {
  const { doc, v, selector } = await select(deps, input.Name!, ctx.principal);
  return { Parameter: renderParameter(deps, doc, v, input.WithDecryption ?? false, selector) };
}

export async function getParameters(deps: SsmDeps, input: GetParametersRequest, ctx: RequestContext) {
  const out: Parameter[] = [];
  const invalid: string[] = [];
  for (const given of [...new Set(input.Names ?? [])]) {
    try {
      const { doc, v, selector } = await select(deps, given, ctx.principal);
      out.push(renderParameter(deps, doc, v, input.WithDecryption ?? false, selector));
    } catch (err) {
      if (err instanceof AwsError && (err.code === "ParameterNotFound" || err.code === "ParameterVersionNotFound")) invalid.push(given);
      else throw err;
    }
  }
  return { Parameters: out, InvalidParameters: invalid };
}

export async function deleteParameter(deps: SsmDeps, input: DeleteParameterRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const name = nameOf(input.Name!, p);
  await deps.lock(paramLock(p.accountId, p.region, name), async () => {
    if (!(await getParameterDoc(deps, p.accountId, p.region, name))) throw parameterNotFound(`Parameter ${name} not found.`);
    await deps.store.write([{ op: "delete", kind: PARAMETER_KIND, id: paramId(p.accountId, p.region, name) }]);
  });
  return {};
}

export async function deleteParameters(deps: SsmDeps, input: DeleteParametersRequest, ctx: RequestContext) {
  const p = ctx.principal;
  const deleted: string[] = [];
  const invalid: string[] = [];
  for (const given of [...new Set(input.Names ?? [])]) {
    const name = nameOf(given, p);
    const gone = await deps.lock(paramLock(p.accountId, p.region, name), async () => {
      if (!(await getParameterDoc(deps, p.accountId, p.region, name))) return false;
      await deps.store.write([{ op: "delete", kind: PARAMETER_KIND, id: paramId(p.accountId, p.region, name) }]);
      return true;
    });
    (gone ? deleted : invalid).push(given);
  }
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}
