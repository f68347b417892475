import { execFileSync } from "node:child_process";
import { GROUP_SNAPSHOT_SCRIPT, RECOVER_SCRIPT } from "../../../drivers/lvm/groupSnapshotScripts";
import { parseWindowOutput, windowArgs, type WindowMember } from "../../../drivers/lvm/groupSnapshotWindow";

/** bash's own parser (`-n`: read, do not run) on the exact text sent to the host. */
function bashSyntaxErrors(script: string): string {
  try {
    execFileSync("bash", ["-n", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    return "";
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

describe("the group snapshot scripts", () => {
  it.each([
    ["GROUP_SNAPSHOT_SCRIPT", GROUP_SNAPSHOT_SCRIPT],
    ["RECOVER_SCRIPT", RECOVER_SCRIPT],
  ])("%s is valid bash", (_name, script) => {
    expect(bashSyntaxErrors(script)).toBe("");
  });

  it("never uses --noflush (a suspend must drain in-flight writes) and never kills lvcreate", () => {
    expect(GROUP_SNAPSHOT_SCRIPT).not.toMatch(/--noflush/);
    expect(GROUP_SNAPSHOT_SCRIPT).not.toMatch(/kill[^\n]*lvpid|pkill/);
    expect(GROUP_SNAPSHOT_SCRIPT).toMatch(/setsid -w "\$\{flat\[@\]:off\[i\]:cnt\[i\]\}"/);
  });

  it("ignores a dropped connection (SIGHUP, SIGPIPE) and resumes the gates on TERM and INT", () => {
    expect(GROUP_SNAPSHOT_SCRIPT).toMatch(/^set -u\ntrap '' HUP PIPE\n/);
    expect(GROUP_SNAPSHOT_SCRIPT).toMatch(/trap 'abort "interrupted by a signal"' INT TERM/);
  });
});
