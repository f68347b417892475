import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../cli/main";

/** The script `cinderblock completion <shell>` prints. */
async function script(shell: string): Promise<string> {
  let out = "";
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  try {
    expect(await main(["completion", shell])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

/** What bash offers for the command line `words` with the cursor on its last word, as `complete` would ask. */
function complete(path: string, words: string[]): string[] {
  const line = words.map((word) => `'${word}'`).join(" ");
  const out = execFileSync(
    "bash",
    ["-c", `source '${path}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length - 1}; _cinderblock; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean);
}

describe("cinderblock completion bash", () => {
  let path: string;
  beforeAll(async () => {
    path = join(mkdtempSync(join(tmpdir(), "cinderblock-completion-")), "cinderblock.bash");
    writeFileSync(path, await script("bash"));
  });

  it("is valid bash", () => {
    expect(() => execFileSync("bash", ["-n", path])).not.toThrow();
  });

  it("completes commands, actions, and each action's flags", () => {
    expect(complete(path, ["cinderblock", "vol"])).toEqual(["volume"]);
    expect(complete(path, ["cinderblock", "volume", "cr"])).toEqual(["create"]);
    expect(complete(path, ["cinderblock", "group", "snap"])).toEqual(["snapshot", "snapshots"]);
    expect(complete(path, ["cinderblock", "volume", "create", "--si"])).toEqual(["--size-gb"]);
    expect(complete(path, ["cinderblock", "volume", "create", "--size-gb", "1", "--from-"])).toEqual(["--from-snapshot", "--from-volume"]);
    expect(complete(path, ["cinderblock", "stats", "--fa"])).toEqual(["--fail-on-down"]);
    expect(complete(path, ["cinderblock", "completion", ""])).toEqual(["bash", "zsh"]);
  });

  it("offers only the flags of the action typed", () => {
    expect(complete(path, ["cinderblock", "volume", "show", "--"])).toEqual(["--config", "--json", "--verbose", "--help"]);
  });
});

describe("cinderblock completion zsh", () => {
  it("loads bash's completion into zsh and is valid shell", async () => {
    const text = await script("zsh");
    expect(text).toContain("bashcompinit");
    expect(text).toContain("complete -F _cinderblock cinderblock");
    const path = join(mkdtempSync(join(tmpdir(), "cinderblock-completion-")), "cinderblock.zsh");
    writeFileSync(path, text);
    expect(() => execFileSync("bash", ["-n", path])).not.toThrow();
  });
});
