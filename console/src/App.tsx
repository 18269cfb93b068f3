import AppLayout from "@cloudscape-design/components/app-layout";
import Button from "@cloudscape-design/components/button";
import Flashbar from "@cloudscape-design/components/flashbar";
import SideNavigation from "@cloudscape-design/components/side-navigation";
import { useMemo, useState } from "react";
import { makeApi } from "./aws";
import { ApiContext } from "./api-context";
import { NotifyContext, useFlashes } from "./notify";
import { href, useRoute } from "./router";
import { Cluster } from "./screens/Cluster";
import { Clusters } from "./screens/Clusters";
import { Families, Revisions } from "./screens/Families";
import { LoadBalancer, LoadBalancers } from "./screens/LoadBalancers";
import { CloudMapService, Namespace, Namespaces } from "./screens/Namespaces";
import { Repositories, Repository } from "./screens/Repositories";
import { Role, Roles } from "./screens/Roles";
import { TargetGroup, TargetGroups } from "./screens/TargetGroups";
import { LogGroups, LogStream, LogStreams } from "./screens/Logs";
import { Service } from "./screens/Service";
import { SignIn } from "./screens/SignIn";
import { Task } from "./screens/Task";
import { TaskDefinition } from "./screens/TaskDefinition";
import { clearSession, loadSession, type Session } from "./session";

/** The screen a URL names. */
function Screen({ route }: { route: string[] }) {
  const [section, a, b, c] = route;
  switch (section) {
    case "task-definitions":
      if (a && b) return <TaskDefinition family={a} revision={Number(b)} />;
      if (a) return <Revisions family={a} />;
      return <Families />;
    case "logs":
      if (a && b) return <LogStream group={a} stream={b} />;
      if (a) return <LogStreams group={a} />;
      return <LogGroups />;
    case "load-balancers":
      return a ? <LoadBalancer name={a} /> : <LoadBalancers />;
    case "target-groups":
      return a ? <TargetGroup name={a} /> : <TargetGroups />;
    case "namespaces":
      if (a && b === "services" && c) return <CloudMapService namespace={a} id={c} />;
      return a ? <Namespace id={a} /> : <Namespaces />;
    case "repositories":
      return a ? <Repository name={a} /> : <Repositories />;
    case "roles":
      return a ? <Role name={a} /> : <Roles />;
    case "clusters":
      if (a && b === "services" && c) return <Service cluster={a} service={c} />;
      if (a && b === "tasks" && c) return <Task cluster={a} task={c} />;
      if (a) return <Cluster cluster={a} tab={b} />;
      return <Clusters />;
    default:
      return <Clusters />;
  }
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();
  const { items, notify } = useFlashes();
  const api = useMemo(() => (session ? makeApi(session) : undefined), [session]);
  if (!api) return <SignIn onSignedIn={setSession} />;
  const section = route[0] ?? "clusters";
  return (
    <ApiContext.Provider value={api}>
      <NotifyContext.Provider value={notify}>
        <AppLayout
          navigation={
            <SideNavigation
              header={{ text: "Wharf · Amazon ECS", href: href("clusters") }}
              activeHref={href(section)}
              items={[
                { type: "link", text: "Clusters", href: href("clusters") },
                { type: "link", text: "Task definitions", href: href("task-definitions") },
                { type: "divider" },
                { type: "link", text: "CloudWatch Logs", href: href("logs") },
                { type: "link", text: "Load balancers", href: href("load-balancers") },
                { type: "link", text: "Target groups", href: href("target-groups") },
                { type: "link", text: "Cloud Map namespaces", href: href("namespaces") },
                { type: "link", text: "ECR repositories", href: href("repositories") },
                { type: "link", text: "IAM roles", href: href("roles") },
                { type: "divider" },
                { type: "link", text: `Signed in: ${api.session.accessKeyId} (${api.session.region})`, href: href(section) },
              ]}
            />
          }
          notifications={<Flashbar items={items} />}
          toolsHide
          content={
            <>
              <Screen route={route} />
              <div style={{ marginTop: 24 }}>
                <Button
                  variant="link"
                  onClick={() => {
                    clearSession();
                    setSession(undefined);
                  }}
                >
                  Sign out
                </Button>
              </div>
            </>
          }
        />
      </NotifyContext.Provider>
    </ApiContext.Provider>
  );
}
