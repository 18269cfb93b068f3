import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import Box from "@cloudscape-design/components/box";
import Container from "@cloudscape-design/components/container";
import Header from "@cloudscape-design/components/header";
import { useEffect, useRef, useState } from "react";
import { useApi } from "../api-context";
import { errorText } from "../aws";
import { POLL_MS } from "../poll";

const KEEP = 2000;

/** A live tail of one log stream: GetLogEvents from the head, then its nextForwardToken, polled. */
export function LogTail({ group, stream, title = "Logs" }: { group: string; stream: string; title?: string }) {
  const api = useApi();
  const [lines, setLines] = useState<{ t: number; m: string }[]>([]);
  const [error, setError] = useState<string>();
  const box = useRef<HTMLPreElement>(null);
  useEffect(() => {
    let live = true;
    let token: string | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLines([]);
    const poll = async () => {
      try {
        const out = await api.logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token ? { nextToken: token } : {}) }));
        if (!live) return;
        token = out.nextForwardToken ?? token;
        const got = (out.events ?? []).map((e) => ({ t: e.timestamp ?? 0, m: e.message ?? "" }));
        if (got.length) setLines((xs) => [...xs, ...got].slice(-KEEP));
        setError(undefined);
      } catch (e) {
        if (live) setError(errorText(e));
      }
      if (live) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [api, group, stream]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  return (
    <Container header={<Header variant="h2" description={`${group} › ${stream} (live)`}>{title}</Header>}>
      {error && <Box color="text-status-error">{error}</Box>}
      <pre ref={box} data-testid="log-tail" tabIndex={0} style={{ margin: 0, maxHeight: 360, minHeight: 60, overflow: "auto", fontSize: 13, background: "#0f1b2a", color: "#e9ebed", padding: 8 }}>
        {lines.length === 0 ? "(no events yet)" : lines.map((l) => `${new Date(l.t).toISOString()}  ${l.m}`).join("\n")}
      </pre>
    </Container>
  );
}
