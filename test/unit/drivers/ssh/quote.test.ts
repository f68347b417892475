import { execFileSync } from "node:child_process";
import { quoteArg, quoteArgv } from "../../../../drivers/ssh/quote";

/** What a real POSIX shell makes of `printf '%s\0' <quoted args>`: the words it passed on. */
function throughShell(args: readonly string[]): string[] {
  const output = execFileSync("sh", ["-c", `printf '%s\\0' ${quoteArgv(args)}`], { encoding: "utf8" });
  return output.split("\0").slice(0, -1);
}

const hostile = [
  "; rm -rf /",
  "$(touch /tmp/cinderblock-pwned)",
  "`touch /tmp/cinderblock-pwned`",
  "it's",
  "'",
  "''",
  'say "hi"',
  "line one\nline two",
  "\n",
  "two  spaces",
  " leading and trailing ",
  "",
  "unicode: żółć ✓ 日本",
  "*",
  "~",
  "~root",
  "-n",
  "--",
  "$HOME",
  "${PATH}",
  "a\\b",
  "a;b|c&d>e<f",
  "{a,b}",
  "#not a comment",
  "tab\there",
  "!history",
  "FOO=bar",
  "--opt=value,x:y@z%+/.",
];

describe("quoteArgv", () => {
  it.each(hostile.map((value) => [JSON.stringify(value), value]))("passes %s through a POSIX shell verbatim", (_label, value) => {
    expect(throughShell([value])).toEqual([value]);
  });

  it("passes every hostile string through in one command line, in order", () => {
    expect(throughShell(hostile)).toEqual(hostile);
  });

  it("quotes a single quote so the remote shell passes it through verbatim", () => {
    expect(quoteArg("it's")).toBe(`'it'\\''s'`);
  });

  it("leaves plain words such as option values and paths unquoted", () => {
    expect(quoteArgv(["lvcreate", "--size=10G", "/dev/vg0/lv-1"])).toBe("lvcreate --size=10G /dev/vg0/lv-1");
  });

  it("quotes the empty string so it stays an argument", () => {
    expect(quoteArg("")).toBe("''");
  });

  it("rejects an argument containing a NUL byte with a TypeError", () => {
    expect(() => quoteArgv(["printf", "a\0b"])).toThrow(TypeError);
  });

  it("rejects an empty argv with a TypeError", () => {
    expect(() => quoteArgv([])).toThrow(TypeError);
  });
});
