/**
 * Where each statement of a policy's JSON text starts and ends, for SimulatePrincipalPolicy's
 * MatchedStatements (`StartPosition` / `EndPosition`): lines and columns are 1-based, the start
 * is the statement's `{`, the end the column just past its `}`. Pure; the text is valid JSON
 * (parsePolicy has accepted it).
 */
export interface TextPosition {
  Line: number;
  Column: number;
}

export interface StatementSpan {
  start: TextPosition;
  end: TextPosition;
}

/** The spans of the top-level `Statement` element's objects, in order (one for a single-object Statement). */
export function statementSpans(text: string): StatementSpan[] {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (at: number): TextPosition => ({ Line: line, Column: at - lineStart + 1 });
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) {
      if (text[i] === "\n") {
        line++;
        lineStart = i + 1;
      }
      i++;
    }
  };
  const str = (): string => {
    const from = ++i;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    return JSON.parse(`"${text.slice(from, i++)}"`) as string;
  };
  // Skips any value; for objects and arrays, walks their members (lines must be counted).
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '"') return void str();
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        if (c === "{") {
          ws();
          str();
          ws();
          i++; // ':'
        }
        value();
        ws();
        if (text[i++] === close) return;
      }
    }
    while (i < text.length && !/[\s,}\]]/.test(text[i]!)) i++;
  };
  const spanOf = (): StatementSpan => {
    ws();
    const start = pos(i);
    value();
    return { start, end: pos(i) };
  };
  const out: StatementSpan[] = [];
  ws();
  if (text[i] !== "{") return out;
  i++;
  for (;;) {
    ws();
    if (text[i] === "}") break;
    const key = str();
    ws();
    i++; // ':'
    ws();
    if (key === "Statement") {
      if (text[i] === "[") {
        i++;
        for (;;) {
          ws();
          if (text[i] === "]") {
            i++;
            break;
          }
          out.push(spanOf());
          ws();
          if (text[i] === ",") i++;
        }
      } else out.push(spanOf());
    } else value();
    ws();
    if (text[i] === ",") i++;
    else break;
  }
  return out;
}
