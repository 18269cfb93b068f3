#!/usr/bin/env python3
"""Generate src/api/<service>/model.generated.ts: the input shapes of every operation of an AWS
service Wharf serves (and, for the XML protocols, the output shapes too), taken from botocore's bundled model (data/<name>/<version>/service-2.json)
with every constraint the model states: types, required members, enums, min/max (string, list and
map lengths; number values) and patterns. The edge validates each request against it
(src/edge/shape-model.ts).

Regenerate (reproducible: the header records the botocore release and the model file's sha256):

    python3 scripts/gen-models.py            # rewrite the files from the installed botocore
    python3 scripts/gen-models.py --check    # exit 1 if a checked-in file differs from what it would write

The output is one operation / one structure member per line, sorted, so a botocore upgrade reviews
as a plain diff.

For the XML protocols (EC2; `query` for ELBv2 today, IAM and STS next) the file also carries what the
edge's protocol modules need to read Query-string input and write XML output (src/edge/protocols/):
each operation's output shape, and per shape the wire names the model gives — `l` (a structure's
members' `locationName`s), `q` (their `queryName`s), `lm` (a list member's `locationName`) and `fl`
(a flattened list) — with the output shapes reachable from every operation."""
import gzip, hashlib, json, os, sys
import botocore

HERE = os.path.dirname(os.path.abspath(__file__))

# Wharf extensions to ECS: optional members that are NOT in AWS's model, added to the agent's report
# shapes so Wharf's agent can report container health and start times through the ordinary
# SubmitTaskStateChange / SubmitContainerStateChange calls (the edge drops members a model does
# not list). AWS clients never send them; see src/contracts/agent-protocol.ts.
ECS_EXTENSIONS = {
    "ContainerStateChange": {"healthStatus": "HealthStatus", "startedAt": "Timestamp"},
    "SubmitContainerStateChangeRequest": {"healthStatus": "HealthStatus", "startedAt": "Timestamp"},
}

SERVICES = [
    # (botocore name, version, output dir, exported const, title, extension members)
    ("ecs", "2014-11-13", "ecs", "ecsModel", "ECS", ECS_EXTENSIONS),
    ("logs", "2014-03-28", "logs", "logsModel", "CloudWatch Logs", {}),
    ("ecr", "2015-09-21", "ecr", "ecrModel", "ECR", {}),
    ("ec2", "2016-11-15", "ec2", "ec2Model", "EC2", {}),
    ("elbv2", "2015-12-01", "elbv2", "elbv2Model", "Elastic Load Balancing v2", {}),
    ("iam", "2010-05-08", "iam", "iamModel", "IAM", {}),
    ("sts", "2011-06-15", "sts", "stsModel", "STS", {}),
    ("servicediscovery", "2017-03-14", "servicediscovery", "servicediscoveryModel", "Cloud Map", {}),
    ("ssm", "2014-11-06", "ssm", "ssmModel", "SSM", {}),
    ("secretsmanager", "2017-10-17", "secretsmanager", "secretsmanagerModel", "Secrets Manager", {}),
    ("application-autoscaling", "2016-02-06", "applicationautoscaling", "applicationautoscalingModel", "Application Auto Scaling", {}),
    ("cloudwatch", "2010-08-01", "cloudwatch", "cloudwatchModel", "CloudWatch", {}),
]

# Services whose model's default protocol is not one Wharf writes as: CloudWatch's model names
# smithy-rpc-v2-cbor first and also lists json and query; the clients send JSON 1.0 (SDK v3, the
# AWS CLI) and Query (the Terraform provider's aws-sdk-go-v2), so Wharf serves both, and the model
# carries the Query wire names (docs/cloudwatch.md).
WIRE_PROTOCOL = {"monitoring": "query"}  # by the model's endpointPrefix

# Protocols whose requests are Query strings and whose responses are XML: their models carry wire names.
XML_PROTOCOLS = {"ec2", "query"}

KINDS = {"structure": "o", "list": "l", "map": "m", "string": "s", "integer": "i", "long": "i",
         "double": "d", "float": "d", "boolean": "b", "timestamp": "t"}


def model_path(name, version):
    base = os.path.join(os.path.dirname(botocore.__file__), "data", name, version, "service-2.json")
    return base if os.path.exists(base) else base + ".gz"


def load(path):
    raw = open(path, "rb").read()
    text = gzip.decompress(raw) if path.endswith(".gz") else raw
    return json.loads(text), hashlib.sha256(text).hexdigest()


def wire_protocol(model):
    return WIRE_PROTOCOL.get(model["metadata"]["endpointPrefix"], model["metadata"]["protocol"])


def compact(model):
    """The shapes reachable from the operations' inputs (and outputs, for the XML protocols), each
    as {t, m|k|v, r, e, min, max, p} plus, for the XML protocols, the wire names {l, q, lm, fl}."""
    shapes, out = model["shapes"], {}
    xml = wire_protocol(model) in XML_PROTOCOLS

    def visit(name):
        if name in out:
            return
        s, c = shapes[name], {}
        out[name] = c
        t = s["type"]
        c["t"] = KINDS.get(t, "any")
        if t == "structure":
            c["m"] = {k: v["shape"] for k, v in s.get("members", {}).items()}
            if s.get("required"):
                c["r"] = s["required"]
            if xml:
                for key, field in (("l", "locationName"), ("q", "queryName")):
                    names = {k: v[field] for k, v in s.get("members", {}).items() if field in v}
                    if names:
                        c[key] = names
            for v in c["m"].values():
                visit(v)
            return
        if t == "list":
            c["m"] = s["member"]["shape"]
            if xml and "locationName" in s["member"]:
                c["lm"] = s["member"]["locationName"]
            if xml and s.get("flattened"):
                c["fl"] = True
            visit(c["m"])
        elif t == "map":
            c["k"] = s["key"]["shape"]
            c["v"] = s["value"]["shape"]
            visit(c["k"])
            visit(c["v"])
        elif t == "string" and "enum" in s:
            c["e"] = s["enum"]
        for k in ("min", "max"):
            if k in s:
                v = s[k]
                c[k] = int(v) if float(v).is_integer() else v
        if "pattern" in s:
            c["p"] = s["pattern"]

    ops, outputs = {}, {}
    for op, o in sorted(model["operations"].items()):
        ops[op] = o.get("input", {}).get("shape")
        if ops[op]:
            visit(ops[op])
        if xml:
            outputs[op] = o.get("output", {}).get("shape")
            if outputs[op]:
                visit(outputs[op])
    return ops, outputs, out, visit


def q(v):
    return json.dumps(v, ensure_ascii=False)


def render_shape(name, c):
    if c["t"] != "o":
        fields = ", ".join(f"{k}: {q(c[k])}" for k in ("t", "m", "k", "v", "min", "max", "e", "p", "lm", "fl") if k in c)
        return [f"    {q(name)}: {{ {fields} }},"]
    lines = [f"    {q(name)}: {{", '      t: "o",']
    if "r" in c:
        lines.append(f"      r: {q(c['r'])},")
    for key in ("m", "l", "q"):
        if key not in c:
            continue
        if c[key]:
            lines.append(f"      {key}: {{")
            lines += [f"        {q(k)}: {q(v)}," for k, v in c[key].items()]
            lines.append("      },")
        else:
            lines.append(f"      {key}: {{}},")
    lines.append("    },")
    return lines


def render(name, version, const, title, extensions, path, sha, ops, outputs, shapes, metadata):
    rel = os.path.relpath(path, os.path.dirname(botocore.__file__))
    out = [
        f"// Generated by scripts/gen-models.py from botocore {botocore.__version__}'s {title} model. Do not edit:",
        "// regenerate with `python3 scripts/gen-models.py` (check with `--check`).",
        f"// Source: botocore/{rel} (sha256 of the JSON: {sha}).",
    ]
    if extensions:
        ext = ", ".join(f"{s}.{m}" for s, ms in extensions.items() for m in ms)
        out.append(f"// Wharf extensions (not in AWS's model, see scripts/gen-models.py): {ext}")
    out += [
        'import type { ShapeModel } from "../../edge/shape-model.js";',
        "",
        f"export const {const}Source = {{",
        f"  botocore: {q(botocore.__version__)},",
        f"  service: {q(name)},",
        f"  apiVersion: {q(version)},",
        f"  sha256: {q(sha)},",
        "} as const;",
        "",
        f"export const {const}: ShapeModel = {{",
    ]
    if outputs:
        out.append(f"  protocol: {q(wire_protocol({'metadata': metadata}))},")
        out.append(f"  xmlNamespace: {q(metadata['xmlNamespace'])},")
    out.append("  operations: {")
    out += [f"    {q(op)}: {q(shape)}," for op, shape in ops.items()]
    out.append("  },")
    if outputs:
        out.append("  outputs: {")
        out += [f"    {q(op)}: {q(shape)}," for op, shape in outputs.items()]
        out.append("  },")
    out.append("  shapes: {")
    for shape_name in sorted(shapes):
        out += render_shape(shape_name, shapes[shape_name])
    out += ["  },", "};", ""]
    return "\n".join(out)


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, version, outdir, const, title, extensions in SERVICES:
        path = model_path(name, version)
        model, sha = load(path)
        ops, outputs, shapes, visit = compact(model)
        for shape_name, members in extensions.items():
            for member, target in members.items():
                assert member not in shapes[shape_name]["m"], f"{shape_name}.{member} is in AWS's model now: drop the extension"
                visit(target)
                shapes[shape_name]["m"][member] = target
        text = render(name, version, const, title, extensions, path, sha, ops, outputs, shapes, model["metadata"])
        dest = os.path.normpath(os.path.join(HERE, "..", "src", "api", outdir, "model.generated.ts"))
        if check:
            current = open(dest, encoding="utf-8").read() if os.path.exists(dest) else ""
            if current != text:
                stale.append(os.path.relpath(dest))
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{title}: {len(ops)} operations, {len(shapes)} shapes -> {os.path.relpath(dest)} (botocore {botocore.__version__})")
    if stale:
        print(f"out of date with botocore {botocore.__version__}: {', '.join(stale)} (run python3 scripts/gen-models.py)")
        sys.exit(1)


if __name__ == "__main__":
    main()
