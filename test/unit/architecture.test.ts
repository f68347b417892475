import { spawnSync } from "node:child_process";
import { join } from "node:path";

/** The tree's own checks (ARCHITECTURE.md): the layering, the linter and the formatter, each as its tool says. */
const root = join(__dirname, "..", "..");

function tool(name: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(join(root, "node_modules", ".bin", name), args, { cwd: root, encoding: "utf8" });
  if (result.error) throw new Error(`${name} could not run (${result.error.message}); run npm ci`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the tree", () => {
  it("keeps its layering (.dependency-cruiser.cjs): no cycles, drivers never reach up, the provider never reaches SSH, driver modules only through an index", () => {
    const { status, output } = tool("depcruise", [
      "--config",
      ".dependency-cruiser.cjs",
      "--output-type",
      "err",
      "drivers",
      "provider",
      "sdk",
      "cli",
      "demo",
      "bench",
      "lab",
      "engine",
    ]);
    expect(output).not.toMatch(/error /);
    expect(status).toBe(0);
  }, 180_000);

  it("is lint-clean (eslint.config.mjs)", () => {
    const { status, output } = tool("eslint", ["."]);
    expect(output).toBe("");
    expect(status).toBe(0);
  }, 180_000);

  it("is formatted (.prettierrc.json)", () => {
    const { status, output } = tool("prettier", ["--check", "."]);
    expect(output).toMatch(/All matched files use Prettier code style/);
    expect(status).toBe(0);
  }, 180_000);
});
