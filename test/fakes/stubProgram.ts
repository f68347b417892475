import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes `bin/name`, a stub program for host-script tests: it appends `name argv...` to `log`,
 * then runs `body` (sh) with the arguments.
 */
export function stubProgram(bin: string, log: string, name: string, body = "exit 0"): void {
  const path = join(bin, name);
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
  chmodSync(path, 0o755);
}
