import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import Alert from "@cloudscape-design/components/alert";
import Box from "@cloudscape-design/components/box";
import Button from "@cloudscape-design/components/button";
import Container from "@cloudscape-design/components/container";
import Form from "@cloudscape-design/components/form";
import FormField from "@cloudscape-design/components/form-field";
import Header from "@cloudscape-design/components/header";
import Input from "@cloudscape-design/components/input";
import SpaceBetween from "@cloudscape-design/components/space-between";
import { useState } from "react";
import { errorText, makeApi } from "../aws";
import { saveSession, type Session } from "../session";

/**
 * Sign-in with an access key (the root keys `wharf env` prints, or an IAM user's). The key is
 * checked with STS GetCallerIdentity and kept in sessionStorage only.
 */
export function SignIn({ onSignedIn }: { onSignedIn(s: Session): void }) {
  const [accessKeyId, setKey] = useState("");
  const [secretAccessKey, setSecret] = useState("");
  const [region, setRegion] = useState("us-east-1");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    const s: Session = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), region: region.trim() };
    try {
      await makeApi(s).sts.send(new GetCallerIdentityCommand({}));
      saveSession(s);
      onSignedIn(s);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ maxWidth: 560, margin: "64px auto", padding: "0 16px" }}>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <Form
          header={<Header variant="h1" description="Amazon ECS on your own machines">Wharf console</Header>}
          actions={<Button variant="primary" formAction="submit" loading={busy} data-testid="sign-in">Sign in</Button>}
          errorText={error}
        >
          <Container>
            <SpaceBetween size="m">
              <FormField label="Access key ID" description="The keys `wharf env` prints (AWS_ACCESS_KEY_ID), or an IAM user's.">
                <Input value={accessKeyId} onChange={(e) => setKey(e.detail.value)} autoFocus ariaLabel="Access key ID" name="accessKeyId" />
              </FormField>
              <FormField label="Secret access key">
                <Input value={secretAccessKey} type="password" onChange={(e) => setSecret(e.detail.value)} ariaLabel="Secret access key" name="secretAccessKey" />
              </FormField>
              <FormField label="Region">
                <Input value={region} onChange={(e) => setRegion(e.detail.value)} ariaLabel="Region" name="region" />
              </FormField>
              <Alert type="info">The key stays in this browser tab's session storage; every call is signed with it (SigV4), as the AWS SDKs sign.</Alert>
              <Box variant="small">Calls go to this Wharf: {window.location.origin}</Box>
            </SpaceBetween>
          </Container>
        </Form>
      </form>
    </div>
  );
}
