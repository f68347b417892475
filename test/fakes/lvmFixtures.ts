import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseLvs, parseVgs, type LvRow, type VgRow } from "../../drivers/lvm/model/report";
import { CommandError } from "../../drivers/ssh/errors";

/** Real LVM output captured on the lab host; see test/fixtures/lvm/README.md. */
const DIR = join(__dirname, "..", "fixtures", "lvm");

export function fixture(name: string): string {
  return readFileSync(join(DIR, name), "utf8");
}

/** Failing commands whose stderr was captured, with the exit status LVM gave. */
export type CapturedFailure = "lvs-notfound" | "vgs-notfound" | "lvremove-notfound" | "lvcreate-exists" | "lvcreate-nospace";

export function capturedExitCode(name: CapturedFailure): number {
  const codes = JSON.parse(fixture("exit-codes.json")) as Record<string, number>;
  const code = codes[name];
  if (code === undefined) throw new Error(`exit-codes.json has no entry for ${name}`);
  return code;
}

export function capturedStderr(name: CapturedFailure): string {
  return fixture(`${name}.stderr.txt`);
}

/** A CommandError as the SSH runner reports a failed command; defaults describe a plain exit 1. */
export function commandError(failure: { stderr: string; exitCode?: number | undefined; argv?: readonly string[] }): CommandError {
  return new CommandError({
    host: "lab-1",
    argv: failure.argv ?? ["lvs"],
    exitCode: "exitCode" in failure ? failure.exitCode : 1,
    signal: undefined,
    stdout: "",
    stderr: failure.stderr,
    durationMs: 5,
    timedOut: false,
    cancelled: false,
  });
}

/** The CommandError the captured failing command would have produced. */
export function capturedError(name: CapturedFailure): CommandError {
  return commandError({ stderr: capturedStderr(name), exitCode: capturedExitCode(name), argv: [name.split("-")[0] ?? name] });
}

/** The row of LV `name` (fixture LVs are named `fx-d810-<kind>`). */
export function lvNamed(rows: readonly LvRow[], name: string): LvRow {
  const row = rows.find((lv) => lv.name === name);
  if (!row) throw new Error(`no LV ${name} among ${rows.map((lv) => lv.name).join(", ")}`);
  return row;
}

export const capturedLvs = (): LvRow[] => parseLvs(fixture("lvs.json"));
export const capturedVg = (): VgRow => {
  const [vg] = parseVgs(fixture("vgs.json"));
  if (!vg) throw new Error("vgs.json has no VG");
  return vg;
};
