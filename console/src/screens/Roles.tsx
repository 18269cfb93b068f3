import { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand } from "@aws-sdk/client-iam";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import ColumnLayout from "@cloudscape-design/components/column-layout";
import Container from "@cloudscape-design/components/container";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useApi } from "../api-context";
import { ListTable, when } from "../ListTable";
import { policyDocumentText as policyText } from "../../../src/core/console/resource-text";
import { allPages } from "../paging";
import { usePoll } from "../poll";
import { href } from "../router";

const Json = ({ text, testId }: { text: string; testId?: string }) => (
  <pre data-testid={testId} style={{ margin: 0, whiteSpace: "pre-wrap", fontSize: 12 }}>{text}</pre>
);

/** IAM roles (ListRoles). Read-only. */
export function Roles() {
  const api = useApi();
  const p = usePoll(
    () => allPages(async (Marker) => { const o = await api.iam.send(new ListRolesCommand({ Marker })); return { items: o.Roles, next: o.IsTruncated ? o.Marker : undefined }; }),
    [],
    10_000,
  );
  return (
    <ContentLayout header={<Header variant="h1">IAM roles</Header>}>
      <ListTable
        testId="roles"
        title="Roles"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(r) => `${r.RoleName} ${r.Arn} ${r.Description ?? ""}`}
        columns={[
          { id: "name", header: "Role name", cell: (r) => <Link href={href("roles", r.RoleName!)}>{r.RoleName}</Link> },
          { id: "path", header: "Path", cell: (r) => r.Path },
          { id: "desc", header: "Description", cell: (r) => r.Description ?? "-" },
          { id: "created", header: "Created", cell: (r) => when(r.CreateDate) },
        ]}
      />
    </ContentLayout>
  );
}

/** A role: its trust policy, attached managed policies and inline policies (each document shown). */
export function Role({ name }: { name: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const role = (await api.iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
    const attached = await allPages(async (Marker) => { const o = await api.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker })); return { items: o.AttachedPolicies, next: o.IsTruncated ? o.Marker : undefined }; });
    const inlineNames = await allPages(async (Marker) => { const o = await api.iam.send(new ListRolePoliciesCommand({ RoleName: name, Marker })); return { items: o.PolicyNames, next: o.IsTruncated ? o.Marker : undefined }; });
    const inline = await Promise.all(inlineNames.map(async (PolicyName) => ({ name: PolicyName, doc: policyText((await api.iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName }))).PolicyDocument) })));
    return { role, attached, inline };
  }, [name], 10_000);
  const d = p.data;
  return (
    <ContentLayout header={<Header variant="h1" description={d ? d.role.Arn : p.error}>{name}</Header>}>
      {!d && p.error && <Alert type="error">{p.error}</Alert>}
      {d && (
        <SpaceBetween size="l">
          <Container header={<Header variant="h2">Summary</Header>}>
            <ColumnLayout columns={4} variant="text-grid">
              <div><Box variant="awsui-key-label">Path</Box>{d.role.Path}</div>
              <div><Box variant="awsui-key-label">Role ID</Box>{d.role.RoleId}</div>
              <div><Box variant="awsui-key-label">Max session</Box>{d.role.MaxSessionDuration ? `${d.role.MaxSessionDuration} s` : "-"}</div>
              <div><Box variant="awsui-key-label">Created</Box>{when(d.role.CreateDate)}</div>
            </ColumnLayout>
          </Container>
          <Container header={<Header variant="h2">Trust policy</Header>}>
            <Json testId="trust-policy" text={policyText(d.role.AssumeRolePolicyDocument)} />
          </Container>
          <ListTable
            testId="attached-policies"
            title="Attached policies"
            items={d.attached}
            empty="No managed policies are attached."
            text={(a) => `${a.PolicyName} ${a.PolicyArn}`}
            columns={[
              { id: "name", header: "Policy", cell: (a) => a.PolicyName },
              { id: "arn", header: "ARN", cell: (a) => a.PolicyArn },
            ]}
          />
          <Container header={<Header variant="h2" counter={`(${d.inline.length})`}>Inline policies</Header>}>
            <div data-testid="inline-policies">
              {d.inline.length === 0 && "No inline policies."}
              <SpaceBetween size="m">
                {d.inline.map((i) => (
                  <div key={i.name}>
                    <Box variant="h3">{i.name}</Box>
                    <Json text={i.doc} />
                  </div>
                ))}
              </SpaceBetween>
            </div>
          </Container>
        </SpaceBetween>
      )}
    </ContentLayout>
  );
}
