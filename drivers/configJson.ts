import { InvalidConfiguration } from "./interface/errors";

/**
 * Configuration text parsed as JSON. A backends file holds passwords and key passphrases, and
 * JSON.parse's messages quote the text around a syntax error, so a failure says where the
 * error is (line and column) and what the file's origin is, never what the text says there.
 * @throws InvalidConfiguration naming `origin` and the position of the first syntax error
 */
export function parseConfigJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidConfiguration(`${origin} is not valid JSON: ${whereItFails(text)} (its text is not shown: it may hold secrets)`);
  }
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

function whereItFails(text: string): string {
  const offset = firstErrorOffset(text);
  if (offset === undefined) return "an escape or character in a string is not allowed";
  if (offset >= text.length) return "it ends too early";
  const line = text.slice(0, offset).split("\n").length;
  const column = offset - text.lastIndexOf("\n", offset - 1);
  return `the first error is at line ${line}, column ${column}`;
}

/**
 * Where a JSON reader stops in `text`: the offset of its first syntax error (text.length when
 * it ends too early); undefined when the structure is sound and only a string's content is not.
 */
function firstErrorOffset(text: string): number | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxAt(at);
  };
  const skipSpace = (): void => {
    while (at < text.length && WHITESPACE.has(text[at] as string)) at++;
  };
  const expect = (char: string): void => {
    skipSpace();
    if (text[at] !== char) fail();
    at++;
  };
  const string = (): void => {
    expect('"');
    while (at < text.length) {
      const char = text[at] as string;
      if (char === '"') {
        at++;
        return;
      }
      if (char < " ") fail();
      at += char === "\\" ? 2 : 1;
    }
    fail();
  };
  const token = (pattern: RegExp): boolean => {
    pattern.lastIndex = at;
    if (!pattern.test(text)) return false;
    at = pattern.lastIndex;
    return true;
  };
  const sequence = (close: string, item: () => void): void => {
    at++;
    skipSpace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[at] === close) {
        at++;
        return;
      }
      expect(",");
    }
  };
  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === "{") {
      sequence("}", () => {
        string();
        expect(":");
        value();
      });
    } else if (char === "[") sequence("]", value);
    else if (char === '"') string();
    else if (!token(NUMBER) && !token(LITERAL)) fail();
  };
  try {
    value();
    skipSpace();
    if (at < text.length) fail();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return Math.min(error.offset, text.length);
    throw error;
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}
