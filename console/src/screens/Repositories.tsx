import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import Alert from "@cloudscape-design/components/alert";
import ContentLayout from "@cloudscape-design/components/content-layout";
import Header from "@cloudscape-design/components/header";
import Link from "@cloudscape-design/components/link";
import { imageSizeText as sizeText } from "../../../src/core/console/resource-text";
import { useApi } from "../api-context";
import { ListTable, when } from "../ListTable";
import { allPages } from "../paging";
import { usePoll } from "../poll";
import { href } from "../router";

/** ECR repositories (DescribeRepositories). */
export function Repositories() {
  const api = useApi();
  const p = usePoll(
    () => allPages(async (nextToken) => { const o = await api.ecr.send(new DescribeRepositoriesCommand({ nextToken })); return { items: o.repositories, next: o.nextToken }; }),
    [],
  );
  return (
    <ContentLayout header={<Header variant="h1">ECR repositories</Header>}>
      <ListTable
        testId="repositories"
        title="Repositories"
        items={p.data}
        loading={p.loading}
        error={p.error}
        text={(r) => `${r.repositoryName} ${r.repositoryUri}`}
        columns={[
          { id: "name", header: "Repository", cell: (r) => <Link href={href("repositories", r.repositoryName!)}>{r.repositoryName}</Link> },
          { id: "uri", header: "URI", cell: (r) => r.repositoryUri },
          { id: "mutability", header: "Tag mutability", cell: (r) => r.imageTagMutability },
          { id: "scan", header: "Scan on push", cell: (r) => (r.imageScanningConfiguration?.scanOnPush ? "yes" : "no") },
          { id: "created", header: "Created", cell: (r) => when(r.createdAt) },
        ]}
      />
    </ContentLayout>
  );
}

/** A repository's images (DescribeImages): tags, digest, size, pushed at; newest first. */
export function Repository({ name }: { name: string }) {
  const api = useApi();
  const p = usePoll(async () => {
    const images = await allPages(async (nextToken) => { const o = await api.ecr.send(new DescribeImagesCommand({ repositoryName: name, nextToken })); return { items: o.imageDetails, next: o.nextToken }; });
    return images.sort((a, b) => (b.imagePushedAt?.getTime() ?? 0) - (a.imagePushedAt?.getTime() ?? 0));
  }, [name]);
  return (
    <ContentLayout header={<Header variant="h1" description="ECR repository">{name}</Header>}>
      {!p.data && p.error && <Alert type="error">{p.error}</Alert>}
      <ListTable
        testId="images"
        title="Images"
        items={p.data}
        loading={p.loading}
        error={p.error}
        empty="No images are pushed."
        text={(i) => `${(i.imageTags ?? []).join(" ")} ${i.imageDigest}`}
        columns={[
          { id: "tags", header: "Image tags", cell: (i) => (i.imageTags ?? []).join(", ") || "(untagged)" },
          { id: "digest", header: "Digest", cell: (i) => i.imageDigest },
          { id: "size", header: "Size", cell: (i) => sizeText(i.imageSizeInBytes) },
          { id: "type", header: "Media type", cell: (i) => i.imageManifestMediaType ?? "-" },
          { id: "pushed", header: "Pushed at", cell: (i) => when(i.imagePushedAt) },
        ]}
      />
    </ContentLayout>
  );
}
