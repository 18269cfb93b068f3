import type { ServerResponse } from "node:http";
import { AwsError } from "../../core/errors.js";
import { isQueryService, type Service } from "../service.js";
import type { ShapeModel } from "../shape-model.js";
import type { Protocol, WireRequest } from "./protocol.js";
import { queryCall, queryFamilyError } from "./query-family.js";
import { decodeQueryInput } from "./query-input.js";
import { XmlWriter, xmlEscape } from "./xml.js";

export const XML_CT = "text/xml;charset=UTF-8";

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** EC2's answer to a value it cannot read as its member's type. */
export const ec2BadValue = (name: string, value: string): AwsError =>
  new AwsError("InvalidParameterValue", `Value (${value}) for parameter ${lowerFirst(name)} is invalid.`);

function sendXml(res: ServerResponse, status: number, xml: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { "content-type": XML_CT, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const writers = new WeakMap<object, XmlWriter>();

function queryModel(service: Service): ShapeModel {
  if (!isQueryService(service)) throw new Error(`${service.signingName} is not a Query-family service`);
  return service.model;
}

/**
 * The EC2 protocol: `Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=…`
 * in; `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>…</requestId>
 * <vpcSet><item>…</item></vpcSet></DescribeVpcsResponse>` out; errors as
 * `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>`.
 */
export const ec2Protocol: Protocol = {
  name: "ec2",
  operation(service: Service, wire: WireRequest): string {
    const model = queryModel(service);
    const { action } = queryCall(wire);
    if (!action) throw new AwsError("MissingAction", "The request must contain the parameter Action");
    if (!Object.hasOwn(service.operations, action) || !Object.hasOwn(model.operations, action)) {
      throw new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`);
    }
    return action;
  },
  input(service: Service, wire: WireRequest, operation: string): Record<string, unknown> {
    const model = queryModel(service);
    return decodeQueryInput(model, model.operations[operation], queryCall(wire).params, "ec2", {
      badValue: (name, value) => ec2BadValue(name, value),
      unknown: (name) => new AwsError("UnknownParameter", `The parameter ${name} is not recognized`),
    });
  },
  write(res, service, operation, output, requestId) {
    const model = queryModel(service);
    let writer = writers.get(model);
    if (!writer) writers.set(model, (writer = new XmlWriter(model)));
    const shape = model.outputs?.[operation];
    const body = shape ? writer.members(shape, output ?? {}) : "<return>true</return>";
    const ns = `${(model.xmlNamespace ?? "").replace(/\/$/, "")}/`;
    const root = `${operation}Response`;
    sendXml(res, 200, `<${root} xmlns="${ns}"><requestId>${requestId}</requestId>${body}</${root}>`);
  },
  writeError(res, err, requestId) {
    const e = queryFamilyError(err);
    sendXml(
      res,
      e.status,
      `<Response><Errors><Error><Code>${xmlEscape(e.code)}</Code><Message>${xmlEscape(e.message)}</Message></Error></Errors>` +
        `<RequestID>${requestId}</RequestID></Response>`,
    );
  },
};
