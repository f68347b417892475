import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** The cinderblock package's root, whether running from sources (ts-jest) or from dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "pulumi-cinderblock") {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cinderblock package above ${__dirname}`);
    dir = parent;
  }
}
