import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";

const drivers = join(__dirname, "..", "..", "..", "..", "drivers");

/** Every .sh file in a scripts/ folder anywhere under drivers/. */
function scriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scriptFiles(path);
    return entry.name.endsWith(".sh") && basename(dir) === "scripts" ? [path] : [];
  });
}

describe("every host script file", () => {
  it("is shellcheck-clean for the shell its first line names (scripts/setup.sh installs shellcheck)", () => {
    const files = scriptFiles(drivers);
    expect(files.map((file) => relative(drivers, file))).toEqual(expect.arrayContaining(["lvm/scripts/group-snapshot.sh", "targets/scripts/lio-apply.sh"]));
    const result = spawnSync("shellcheck", files, { encoding: "utf8" });
    if (result.error) throw new Error(`shellcheck could not run (${result.error.message}); install it: apt-get install shellcheck`);
    expect(result.stdout).toBe("");
    expect(result.status).toBe(0);
  });
});
