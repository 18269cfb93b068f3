/**
 * The managed policy documents the authorization benches attach (bench/authz.ts, authz-e2e.ts,
 * iam-evaluate.ts): 3 statements over one service — an Allow of Describe*, List* and Get*, an Allow of
 * Create* and Put* on a Resource with `${aws:PrincipalTag/team}` guarded by StringEquals on
 * aws:RequestTag/team and Bool on aws:SecureTransport, a Deny of Delete* guarded by NotIpAddress.
 * `ecs` makes the document about ECS; otherwise the service rotates over ten others.
 */
const SERVICES = ["logs", "ec2", "elasticloadbalancing", "s3", "sqs", "dynamodb", "kms", "secretsmanager", "ssm", "ecr"];

export function benchPolicyText(i: number, ecs: boolean, account: string): string {
  const svc = ecs ? "ecs" : SERVICES[i % SERVICES.length]!;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: `Read${i}`, Effect: "Allow", Action: [`${svc}:Describe*`, `${svc}:List*`, `${svc}:Get*`], Resource: "*" },
      {
        Sid: `Write${i}`,
        Effect: "Allow",
        Action: [`${svc}:Create*`, `${svc}:Put*`],
        Resource: `arn:aws:${svc}:*:${account}:*/team-\${aws:PrincipalTag/team}-*`,
        Condition: { StringEquals: { "aws:RequestTag/team": "${aws:PrincipalTag/team}" }, Bool: { "aws:SecureTransport": "true" } },
      },
      { Sid: `Guard${i}`, Effect: "Deny", Action: `${svc}:Delete*`, Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"] } } },
    ],
  });
}
