import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadBackendsFile } from "../../../drivers/backends";
import { parseConfigJson } from "../../../drivers/configJson";
import { InvalidConfiguration } from "../../../drivers/interface/errors";

const SECRET = "pw-aPPUfn7Qx2LmZ9";

/** Every 12-character piece of the secret: none may appear in an error. */
const pieces = (secret: string): string[] => Array.from({ length: secret.length - 11 }, (_, i) => secret.slice(i, i + 12));

function failure(text: string): Error {
  try {
    parseConfigJson(text, "backends.json");
  } catch (error) {
    return error as Error;
  }
  throw new Error("parsed");
}

describe("configuration JSON", () => {
  it("parses valid text", () => {
    expect(parseConfigJson('{"a": [1, "b", true, null]}', "x")).toEqual({ a: [1, "b", true, null] });
  });

  it.each([
    ["a single-quoted password", `{\n  "backends": {\n    "lab": { "password": '${SECRET}' }\n  }\n}`, "line 3, column 26"],
    ["a missing comma after a password", `{"password": "${SECRET}" "user": "root"}`, "line 1, column 34"],
    ["a trailing comma", `{"password": "${SECRET}",}`, "line 1, column 34"],
    ["text after the document", `{"password": "${SECRET}"} x`, "line 1, column 35"],
  ])("says where %s breaks it, and never shows the text", (_case, text, where) => {
    const error = failure(text);
    expect(error).toBeInstanceOf(InvalidConfiguration);
    expect(error.message).toBe(`backends.json is not valid JSON: the first error is at ${where} (its text is not shown: it may hold secrets)`);
    for (const piece of pieces(SECRET)) expect(error.message).not.toContain(piece);
  });

  it("says when the text ends too early, or only a string's content is wrong", () => {
    expect(failure(`{"password": "${SECRET}`).message).toMatch(/not valid JSON: it ends too early/);
    expect(failure(`{"password": "${SECRET}\\x"}`).message).toMatch(/not valid JSON: an escape or character in a string is not allowed/);
  });

  it("is what loading a backends file reports", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "cb-config-")), "backends.json");
    writeFileSync(path, `{"backends": {"lab": {"password": '${SECRET}'}}}`);
    const error = await loadBackendsFile(path).catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(InvalidConfiguration);
    expect((error as Error).message).toBe(`${path} is not valid JSON: the first error is at line 1, column 35 (its text is not shown: it may hold secrets)`);
    for (const piece of pieces(SECRET)) expect((error as Error).message).not.toContain(piece);
  });
});
