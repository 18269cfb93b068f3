import Box from "@cloudscape-design/components/box";
import Header from "@cloudscape-design/components/header";
import Pagination from "@cloudscape-design/components/pagination";
import Table, { type TableProps } from "@cloudscape-design/components/table";
import TextFilter from "@cloudscape-design/components/text-filter";
import { type ReactNode, useState } from "react";

/** A list that pages and filters (by the text of its rows), as the console's lists do. */
export function ListTable<T>(p: {
  title: string;
  items: T[] | undefined;
  columns: TableProps.ColumnDefinition<T>[];
  text: (item: T) => string;
  loading?: boolean;
  error?: string | undefined;
  actions?: ReactNode;
  empty?: string;
  pageSize?: number;
  testId?: string;
  variant?: TableProps.Variant;
}) {
  const [filter, setFilter] = useState("");
  const [page, setPage] = useState(1);
  const size = p.pageSize ?? 20;
  const all = p.items ?? [];
  const f = filter.trim().toLowerCase();
  const shown = f ? all.filter((i) => p.text(i).toLowerCase().includes(f)) : all;
  const pages = Math.max(1, Math.ceil(shown.length / size));
  const current = Math.min(page, pages);
  return (
    <div data-testid={p.testId}>
      <Table
        variant={p.variant ?? "container"}
        items={shown.slice((current - 1) * size, current * size)}
        columnDefinitions={p.columns}
        loading={p.loading && !p.items}
        loadingText="Loading"
        header={
          <Header counter={p.items ? `(${all.length})` : undefined} actions={p.actions} description={p.error ? <Box color="text-status-error">{p.error}</Box> : undefined}>
            {p.title}
          </Header>
        }
        filter={<TextFilter filteringText={filter} filteringPlaceholder={`Find ${p.title.toLowerCase()}`} filteringAriaLabel={`Filter ${p.title.toLowerCase()}`} onChange={(e) => { setFilter(e.detail.filteringText); setPage(1); }} />}
        pagination={<Pagination currentPageIndex={current} pagesCount={pages} onChange={(e) => setPage(e.detail.currentPageIndex)} />}
        empty={<Box textAlign="center" color="inherit">{p.empty ?? "Nothing here yet."}</Box>}
      />
    </div>
  );
}

/** The last part of an ARN (`…/default/abc123` → `abc123`). */
export const shortArn = (arn: string | undefined): string => (arn ? arn.slice(arn.lastIndexOf("/") + 1) : "-");

/** Epoch date (the SDK's Date) as local time. */
export const when = (d: Date | number | undefined): string => (d === undefined ? "-" : new Date(d).toLocaleString());
