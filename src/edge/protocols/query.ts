import type { ServerResponse } from "node:http";
import { AwsError } from "../../core/errors.js";
import { isQueryService, type Service } from "../service.js";
import type { ShapeModel } from "../shape-model.js";
import type { Protocol, WireRequest } from "./protocol.js";
import { queryCall } from "./query-family.js";
import { decodeQueryInput } from "./query-input.js";
import { XmlWriter, xmlEscape } from "./xml.js";

export const QUERY_XML_CT = "text/xml";

function sendXml(res: ServerResponse, status: number, xml: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { "content-type": QUERY_XML_CT, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const writers = new WeakMap<object, XmlWriter>();

function queryModel(service: Service): ShapeModel {
  if (!isQueryService(service) || service.protocol !== "query") throw new Error(`${service.signingName} is not a Query service`);
  return service.model;
}

const namespaceOf = (model: ShapeModel) => `${(model.xmlNamespace ?? "").replace(/\/$/, "")}/`;

/** Edge refusals (SigV4, size, internal) as the Query services word them (AWS's common errors). */
export function queryError(err: AwsError): AwsError {
  switch (err.code) {
    case "UnrecognizedClientException":
      return new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    case "ExpiredTokenException":
      return new AwsError("ExpiredToken", "The security token included in the request is expired", 403);
    case "InvalidSignatureException":
      return err.message.startsWith("Signature expired")
        ? new AwsError("RequestExpired", `Request has expired. ${err.message}`, 400)
        : new AwsError("SignatureDoesNotMatch", err.message, 403);
    case "IncompleteSignatureException":
      return new AwsError("IncompleteSignature", err.message, 400);
    case "MissingAuthenticationTokenException":
      return new AwsError("MissingAuthenticationToken", err.message, 403);
    case "SerializationException":
      return new AwsError("MalformedQueryString", err.message, err.status);
    case "ServerException":
      return new AwsError("InternalFailure", err.message, 500);
    default:
      return err;
  }
}

/** The Query services' answer to a value that cannot be read as its member's type. */
const badValue = (name: string, value: string, expected: string): AwsError =>
  new AwsError(
    "ValidationError",
    `1 validation error detected: Value '${value}' at '${name.charAt(0).toLowerCase() + name.slice(1)}' failed to satisfy constraint: Member must be ${expected === "integer" ? "an integer" : `a ${expected}`}`,
  );

/**
 * The AWS Query protocol (ELBv2 today; IAM, STS and CloudWatch speak it too):
 * `Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=web` in (members by their
 * `locationName`, lists as `Name.member.N`, maps as `Name.entry.N.key`); out
 * `<DescribeLoadBalancersResponse xmlns="NS"><DescribeLoadBalancersResult>…</DescribeLoadBalancersResult>
 * <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></DescribeLoadBalancersResponse>`, lists
 * as `<member>`; errors `<ErrorResponse xmlns="NS"><Error><Type>Sender</Type><Code>…</Code>
 * <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`. Keys the model does not
 * know are ignored, as these services do. The service's model gives the namespace.
 */
export const queryProtocol: Protocol = {
    name: "query",
    operation(service: Service, wire: WireRequest): string {
      const model = queryModel(service);
      const { action, version } = queryCall(wire);
      if (!action) throw new AwsError("MissingAction", "The request must contain the parameter Action");
      if (!Object.hasOwn(service.operations, action) || !Object.hasOwn(model.operations, action)) {
        throw new AwsError("InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
      }
      return action;
    },
    input(service: Service, wire: WireRequest, operation: string): Record<string, unknown> {
      const model = queryModel(service);
      return decodeQueryInput(model, model.operations[operation], queryCall(wire).params, "query", {
        badValue,
      });
    },
    write(res, service, operation, output, requestId) {
      const model = queryModel(service);
      let writer = writers.get(model);
      if (!writer) writers.set(model, (writer = new XmlWriter(model)));
      const shape = model.outputs?.[operation];
      const result = `${operation}Result`;
      const body = shape ? writer.members(shape, output ?? {}) : "";
      const root = `${operation}Response`;
      sendXml(
        res,
        200,
        `<${root} xmlns="${namespaceOf(model)}">${body ? `<${result}>${body}</${result}>` : `<${result}/>`}` +
          `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${root}>`,
      );
    },
    writeError(res, err, requestId, service) {
      const e = queryError(err);
      const ns = service && isQueryService(service) ? namespaceOf(service.model) : "";
      const type = e.status >= 500 ? "Receiver" : "Sender";
      sendXml(
        res,
        e.status,
        `<ErrorResponse${ns ? ` xmlns="${ns}"` : ""}><Error><Type>${type}</Type><Code>${xmlEscape(e.code)}</Code>` +
          `<Message>${xmlEscape(e.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      );
    },
};
