import type { Comparison, Operator, QueryNode, Subject } from "./ast.js";
import { QueryError } from "./errors.js";
import { checkComparison } from "./subjects.js";

/**
 * Recursive-descent parser for the ECS cluster query language, working directly on the string
 * (no separate lexer) because how a value ends depends on the operator before it: an unquoted
 * regular expression such as `t2\.(micro|small)` may hold parentheses and `|`, a plain value may not.
 *
 *   expr    := and (("or" | "||") and)*
 *   and     := unary (("and" | "&&") unary)*
 *   unary   := ("not" | "!") unary | "(" expr ")" | compare
 *   compare := subject operator [value | list]
 *   list    := ("[" | "(") value ("," value)* ("]" | ")")
 *   value   := 'quoted' | "quoted" | bare
 */
export function parseQuery(source: string): QueryNode {
  if (source.trim() === "") throw new QueryError(source, 0, "the expression is empty");
  const p = new Parser(source);
  const node = p.expression();
  p.skipSpace();
  if (!p.atEnd()) p.fail(p.peek() === ")" ? "unbalanced ')'" : "expected 'and', 'or' or the end of the expression");
  return node;
}

const SYMBOL_OPERATORS: ReadonlyArray<[string, Operator]> = [
  ["!exists", "not_exists"],
  ["!in", "not_in"],
  ["==", "equals"],
  ["!=", "not_equals"],
  [">=", "greater_than_equal"],
  ["<=", "less_than_equal"],
  ["=~", "matches"],
  ["!~", "not_matches"],
  [">", "greater_than"],
  ["<", "less_than"],
];

const WORD_OPERATORS: ReadonlySet<string> = new Set<Operator>([
  "equals",
  "not_equals",
  "greater_than",
  "greater_than_equal",
  "less_than",
  "less_than_equal",
  "exists",
  "not_exists",
  "in",
  "not_in",
  "matches",
  "not_matches",
]);

const NAMED_SUBJECTS: Record<string, Subject> = {
  ec2InstanceId: { kind: "ec2InstanceId" },
  registeredAt: { kind: "registeredAt" },
  runningTasksCount: { kind: "runningTasksCount" },
  agentConnected: { kind: "agentConnected" },
  agentVersion: { kind: "agentVersion" },
  "task:group": { kind: "taskGroup" },
};

const SUBJECT_CHAR = /[A-Za-z0-9_.\-:/\\@]/;
const WORD_CHAR = /[A-Za-z0-9_]/;

class Parser {
  pos = 0;
  constructor(readonly src: string) {}

  fail(problem: string, at = this.pos): never {
    throw new QueryError(this.src, at, problem);
  }
  atEnd(): boolean {
    return this.pos >= this.src.length;
  }
  peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }
  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.peek())) this.pos++;
  }
  /** Consumes `word` when it stands alone (not the prefix of a longer word). */
  keyword(word: string): boolean {
    if (this.src.slice(this.pos, this.pos + word.length).toLowerCase() !== word) return false;
    if (WORD_CHAR.test(this.src[this.pos + word.length] ?? "")) return false;
    this.pos += word.length;
    return true;
  }
  symbol(sym: string): boolean {
    if (!this.src.startsWith(sym, this.pos)) return false;
    this.pos += sym.length;
    return true;
  }

  expression(): QueryNode {
    let left = this.conjunction();
    for (;;) {
      this.skipSpace();
      if (!(this.symbol("||") || this.keyword("or"))) return left;
      left = { type: "or", left, right: this.conjunction() };
    }
  }

  conjunction(): QueryNode {
    let left = this.unary();
    for (;;) {
      this.skipSpace();
      if (!(this.symbol("&&") || this.keyword("and"))) return left;
      left = { type: "and", left, right: this.unary() };
    }
  }

  unary(): QueryNode {
    this.skipSpace();
    if (this.atEnd()) this.fail("expected an expression");
    if (this.keyword("not") || (this.peek() === "!" && this.peek(1) !== "=" && this.symbol("!"))) {
      return { type: "not", operand: this.unary() };
    }
    if (this.symbol("(")) {
      const inner = this.expression();
      this.skipSpace();
      if (!this.symbol(")")) this.fail("expected ')'");
      return inner;
    }
    return this.comparison();
  }

  comparison(): Comparison {
    const position = this.pos;
    const subject = this.subject();
    this.skipSpace();
    const opAt = this.pos;
    const operator = this.operator();
    let values: string[] = [];
    if (operator === "in" || operator === "not_in") values = this.list();
    else if (operator !== "exists" && operator !== "not_exists") {
      values = [this.value(operator === "matches" || operator === "not_matches")];
    }
    const node: Comparison = { type: "compare", subject, operator, values, position };
    const problem = checkComparison(node);
    if (problem) this.fail(problem, opAt);
    return node;
  }

  subject(): Subject {
    const start = this.pos;
    while (!this.atEnd() && SUBJECT_CHAR.test(this.peek())) this.pos++;
    const word = this.src.slice(start, this.pos);
    if (word === "") this.fail("expected a subject (attribute:NAME, ec2InstanceId, registeredAt, runningTasksCount, agentConnected, agentVersion or task:group)");
    if (word.startsWith("attribute:")) {
      const name = word.slice("attribute:".length);
      if (name === "") this.fail("expected an attribute name after 'attribute:'", start);
      return { kind: "attribute", name };
    }
    const named = NAMED_SUBJECTS[word];
    if (!named) {
      this.fail(`unknown subject '${word}' (expected attribute:NAME, ec2InstanceId, registeredAt, runningTasksCount, agentConnected, agentVersion or task:group)`, start);
    }
    return named;
  }

  operator(): Operator {
    for (const [sym, op] of SYMBOL_OPERATORS) {
      if (sym === "!in" && WORD_CHAR.test(this.src[this.pos + 3] ?? "")) continue;
      if (sym === "!exists" && WORD_CHAR.test(this.src[this.pos + 7] ?? "")) continue;
      if (this.symbol(sym)) return op;
    }
    const start = this.pos;
    while (!this.atEnd() && WORD_CHAR.test(this.peek())) this.pos++;
    if (this.pos === start) while (!this.atEnd() && /[=!<>~&|]/.test(this.peek())) this.pos++;
    const word = this.src.slice(start, this.pos).toLowerCase();
    if (WORD_OPERATORS.has(word)) return word as Operator;
    return this.fail(word === "" ? "expected an operator" : `unknown operator '${word}'`, start);
  }

  list(): string[] {
    this.skipSpace();
    const open = this.peek();
    if (open !== "[" && open !== "(") this.fail("expected a list such as [a, b]");
    const close = open === "[" ? "]" : ")";
    this.pos++;
    const values: string[] = [];
    for (;;) {
      values.push(this.value(false, true));
      this.skipSpace();
      if (this.symbol(",")) continue;
      if (this.symbol(close)) return values;
      this.fail(`expected ',' or '${close}' in the list`);
    }
  }

  /** A quoted or bare value. Bare regular expressions may hold balanced (), [] and |. */
  value(regex: boolean, inList = false): string {
    this.skipSpace();
    const start = this.pos;
    const quote = this.peek();
    if (quote === "'" || quote === '"') {
      this.pos++;
      let out = "";
      while (!this.atEnd() && this.peek() !== quote) {
        if (this.peek() === "\\" && (this.peek(1) === quote || this.peek(1) === "\\")) this.pos++;
        out += this.peek();
        this.pos++;
      }
      if (!this.symbol(quote)) this.fail("unterminated quoted value", start);
      return out;
    }
    let depth = 0;
    while (!this.atEnd()) {
      const c = this.peek();
      if (/\s/.test(c)) break;
      if (regex) {
        if (c === "\\") {
          this.pos += 2;
          continue;
        }
        if (c === "(" || c === "[") depth++;
        else if (c === ")" || c === "]") {
          if (depth === 0) break;
          depth--;
        }
      } else {
        if (c === ")" || c === "(" || (inList && (c === "," || c === "]"))) break;
        if ((c === "&" && this.peek(1) === "&") || (c === "|" && this.peek(1) === "|")) break;
      }
      this.pos++;
    }
    const bare = this.src.slice(start, this.pos);
    if (bare === "") this.fail("expected a value");
    return bare;
  }
}
