import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleLog, guestCrash } from "../../../lab/qemu";

describe("guestCrash", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cb-console-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("finds the line where the guest's kernel crashed (as CI's console printed it)", () => {
    writeFileSync(
      consoleLog(dir),
      [
        "[    5.006539]  </TASK>",
        "[    5.006636] Modules linked in:",
        "[    5.007423] ---[ end trace 0000000000000000 ]---",
        "[    5.007422] Oops: int3: 0000 [#2] PREEMPT SMP NOPTI",
        "[    5.007625] RIP: 0010:sched_clock_cpu+0x9/0x190",
      ].join("\r\n"),
    );
    expect(guestCrash(dir)).toBe("Oops: int3: 0000 [#2] PREEMPT SMP NOPTI");
  });

  it("says nothing of a console that booted cleanly or does not exist yet", () => {
    expect(guestCrash(dir)).toBeUndefined();
    writeFileSync(consoleLog(dir), "[    2.1] EXT4-fs (vda): mounted filesystem\r\nDebian GNU/Linux 12 lab-1 ttyS0\r\n");
    expect(guestCrash(dir)).toBeUndefined();
  });
});
