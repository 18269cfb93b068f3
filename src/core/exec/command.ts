/**
 * ExecuteCommand's `command` is one string; the container runs an argv. Wharf splits the string
 * by the POSIX shell's word rules without any expansion: blanks separate words, single quotes
 * keep everything literally, double quotes keep everything but `\"`, `\\`, `\$` and `` \` ``,
 * and a backslash outside quotes keeps the next character. (A shell is not run unless the
 * command names one: `sh -c '…'`.) `quoteArgv` is the inverse the `wharf exec` CLI uses, so
 * `splitCommand(quoteArgv(argv))` is `argv` for every argv.
 */

export class CommandSyntaxError extends Error {
  override name = "CommandSyntaxError";
}

export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  while (i < command.length) {
    const c = command[i]!;
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new CommandSyntaxError("unterminated single quote");
      word += command.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= command.length) throw new CommandSyntaxError("unterminated double quote");
        const d = command[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < command.length && '"\\$`'.includes(command[i + 1]!)) {
          word += command[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === "\\") {
      if (i + 1 >= command.length) throw new CommandSyntaxError("a backslash ends the command");
      // A backslash-newline joins lines, as in the shell.
      if (command[i + 1] !== "\n") word += command[i + 1];
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One word, quoted only when it needs to be. */
export function quoteWord(word: string): string {
  if (word !== "" && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export const quoteArgv = (argv: readonly string[]): string => argv.map(quoteWord).join(" ");
