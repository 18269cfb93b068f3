/**
 * The shell command blocks of a Markdown document (fenced ```bash or ```sh), as the README test
 * runs them. A block whose fence is preceded (on the line before) by
 *   <!-- readme-test: skip (reason) -->
 * is kept but marked skipped: those start Wharf or run the test suite itself.
 */
export interface CommandBlock {
  /** 1-based line of the opening fence. */
  line: number;
  lang: "bash" | "sh";
  code: string;
  /** The marker's reason when the block is skipped. */
  skip?: string;
}

const FENCE = /^(`{3,}|~{3,})\s*([\w+-]*)\s*$/;
const SKIP = /^<!--\s*readme-test:\s*skip\b\s*(.*?)\s*-->$/;

export function commandBlocks(markdown: string): CommandBlock[] {
  const lines = markdown.split("\n");
  const blocks: CommandBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, fence, lang] = open;
    let end = i + 1;
    const closes = (l: string) => {
      const t = l.trim();
      return t.length >= fence!.length && t === fence![0]!.repeat(t.length);
    };
    while (end < lines.length && !closes(lines[end]!)) end++;
    if (lang === "bash" || lang === "sh") {
      const marker = i > 0 ? SKIP.exec(lines[i - 1]!.trim()) : null;
      blocks.push({
        line: i + 1,
        lang,
        code: lines.slice(i + 1, end).join("\n"),
        ...(marker ? { skip: marker[1]!.replace(/^\((.*)\)$/, "$1") || "marked skip" } : {}),
      });
    }
    i = end;
  }
  return blocks;
}

/** One bash script running the blocks in order, each announced on stderr as `::readme-block LINE::`. */
export function blocksScript(blocks: readonly CommandBlock[]): string {
  return blocks
    .filter((b) => !b.skip)
    .map((b) => `echo "::readme-block ${b.line}::" >&2\n${b.code}\n`)
    .join("\n");
}

/** The line of the last block the script announced in `stderr` (the one that failed, when it failed). */
export function lastBlockLine(stderr: string): number | undefined {
  const all = [...stderr.matchAll(/^::readme-block (\d+)::$/gm)];
  return all.length ? Number(all[all.length - 1]![1]) : undefined;
}
