import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostScript, hostSetupText, type HostScript } from "../../../../../drivers/lvm/core/hostScripts";
import { quoteArgv } from "../../../../../drivers/ssh/quote";
import { stubProgram } from "../../../../fakes/stubProgram";

/**
 * The host scripts run by real `sh` against stub programs: each stub appends its argv to a log
 * and answers from a small file of canned behaviour, so every branch of the exit-code protocol
 * can be driven without LVM or device-mapper.
 */
let dir: string;
let log: string;

const stub = (name: string, body?: string): void => stubProgram(join(dir, "bin"), log, name, body);

/** A device-mapper device in the fake sysfs, as the kernel shows one under /sys/block. */
function dmDevice(index: number, name: string, sectors: number, uuid: string): void {
  const device = join(dir, "sys", "block", `dm-${index}`);
  mkdirSync(join(device, "dm"), { recursive: true });
  writeFileSync(join(device, "dev"), `253:${index}\n`);
  writeFileSync(join(device, "size"), `${sectors}\n`);
  writeFileSync(join(device, "dm", "name"), `${name}\n`);
  writeFileSync(join(device, "dm", "uuid"), `${uuid}\n`);
}

function run(script: HostScript, args: readonly string[], text = hostScript(script)): { code: number; stdout: string; stderr: string; calls: string[] } {
  const result = spawnSync("sh", ["-c", text, script, ...args], {
    env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, LC_ALL: "C", CINDERBLOCK_SYSFS: join(dir, "sys") },
    encoding: "utf8",
  });
  const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr, calls };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cb-scripts-"));
  log = join(dir, "calls.log");
  writeFileSync(log, "");
  spawnSync("mkdir", [join(dir, "bin")]);
  stub("flock");
  mkdirSync(join(dir, "sys", "block"), { recursive: true });
  dmDevice(3, "vg-pool", 8, "LVM-pool");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("lv-write.sh", () => {
  /** LOCK WAIT_S DEVICE GATE WRITE ACTIVATE, for the LV vg/v1 (device-mapper name vg-v1). */
  const args = (overrides: { lock?: string; write?: string[] } = {}): string[] => [
    overrides.lock ?? join(dir, "gates.lock"),
    "120",
    "/dev/mapper/vg-v1",
    "cbgate-vg-v1",
    overrides.write ? quoteArgv(overrides.write) : "",
    quoteArgv(["lvchange", "-a", "y", "-K", "vg/v1"]),
  ];

  it("writes under the lock and makes a new gate over the LV, printing nothing on stdout", () => {
    stub(
      "lvcreate",
      `echo '  Logical volume "v1" created.'; mkdir -p "$CINDERBLOCK_SYSFS/block/dm-7/dm"; echo 253:7 > "$CINDERBLOCK_SYSFS/block/dm-7/dev"; echo 2097152 > "$CINDERBLOCK_SYSFS/block/dm-7/size"; echo vg-v1 > "$CINDERBLOCK_SYSFS/block/dm-7/dm/name"; echo LVM-abc > "$CINDERBLOCK_SYSFS/block/dm-7/dm/uuid"`,
    );
    stub("dmsetup", `case "$1" in create) exit 0;; *) exit 9;; esac`);
    const result = run(
      "lv-write.sh",
      args({ write: ["lvcreate", "-n", "v1", "--addtag", "cb.desc=aXQncyBhOyB0YWc", "--config", "activation { retry_deactivation = 1 }", "vg"] }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain('Logical volume "v1" created.');
    expect(result.calls).toEqual([
      `flock -w 120 9`,
      `lvcreate -n v1 --addtag cb.desc=aXQncyBhOyB0YWc --config activation { retry_deactivation = 1 } vg`,
      `dmsetup create cbgate-vg-v1 --uuid CBGATE-abc --table 0 2097152 linear 253:7 0`,
    ]);
  });

  // On a sudo host the user picks these arguments and the script runs as root.
  it.each([
    ["a second command after ;", "lvcreate -n v1 vg; touch PWNED"],
    ["a command substitution", "lvcreate -n $(touch PWNED) vg"],
    ["backticks", "lvcreate -n `touch PWNED` vg"],
    ["a background &", "lvcreate -n v1 vg & touch PWNED"],
    ["a pipe", "lvcreate -n v1 vg | touch PWNED"],
    ["a redirection", "lvcreate -n v1 vg > PWNED"],
    ["a newline", "lvcreate -n v1 vg\ntouch PWNED"],
    ["another program after &&", "lvcreate -n v1 vg && touch PWNED"],
    ["another program", "touch PWNED"],
    ["an assignment first", "PATH=. lvcreate -n v1 vg"],
    ["a dd onto another device", "dd if=/dev/zero of=/dev/sda"],
    ["a dd out of /dev/mapper", "dd if=/dev/zero of=/dev/mapper/../sda"],
    ["a dd with a second of=", "dd if=/dev/zero of=/dev/mapper/vg-v1 of=/dev/sda"],
    ["a glob", "lvcreate -n v1 /etc/*"],
  ])("refuses a write line with %s, running nothing", (_what, line) => {
    const result = spawnSync(
      "sh",
      ["-c", hostScript("lv-write.sh"), "lv-write.sh", join(dir, "gates.lock"), "120", "/dev/mapper/vg-v1", "cbgate-vg-v1", line, "lvchange -a y vg/v1"],
      {
        cwd: dir,
        env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, LC_ALL: "C", CINDERBLOCK_SYSFS: join(dir, "sys") },
        encoding: "utf8",
      },
    );
    expect(result.status).toBe(126);
    expect(result.stderr).toMatch(/^lv-write.sh: refused to run a command line: /);
    expect(readdirSync(dir)).not.toContain("PWNED");
  });

  it("reloads a gate whose table no longer matches the LV (after a resize), and leaves a matching one alone", () => {
    stub("lvextend");
    dmDevice(7, "vg-v1", 2097152, "LVM-abc");
    stub("dmsetup", `case "$1" in create) echo "Device or resource busy" >&2; exit 1;; table) echo "0 1048576 linear 253:7 0";; esac`);
    const resized = run("lv-write.sh", args({ write: ["lvextend", "-L", "1073741824b", "vg/v1"] }));
    expect(resized.code).toBe(0);
    expect(resized.calls.filter((call) => call.startsWith("dmsetup reload") || call.startsWith("dmsetup resume"))).toEqual([
      "dmsetup reload cbgate-vg-v1 --table 0 2097152 linear 253:7 0",
      "dmsetup resume cbgate-vg-v1",
    ]);
    writeFileSync(log, "");
    stub("dmsetup", `case "$1" in create) exit 1;; table) echo "0 2097152  linear 253:7 0 ";; esac`);
    const same = run("lv-write.sh", args());
    expect(same.code).toBe(0);
    expect(same.calls.some((call) => call.startsWith("dmsetup reload"))).toBe(false);
  });

  it("passes the write's own failure through and touches nothing after it", () => {
    stub("lvcreate", `echo '  Logical Volume "v1" already exists in volume group "vg"' >&2; exit 5`);
    stub("dmsetup");
    const result = run("lv-write.sh", args({ write: ["lvcreate", "-n", "v1", "vg"] }));
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("already exists in volume group");
    expect(result.calls.map((call) => call.split(" ")[0])).toEqual(["flock", "lvcreate"]);
  });

  it("exits 76 naming the gate when device-mapper cannot make it, after the write", () => {
    dmDevice(7, "vg-v1", 2097152, "LVM-abc");
    stub("dmsetup", `case "$1" in create) echo "create ioctl failed: Invalid argument" >&2; exit 1;; table) exit 1;; esac`);
    const result = run("lv-write.sh", args());
    expect(result.code).toBe(76);
    expect(result.stderr).toContain("gate cbgate-vg-v1: create ioctl failed: Invalid argument");
  });

  it("exits 75 when the lock is not free in time, before writing anything", () => {
    stub("flock", "exit 1");
    stub("lvcreate");
    const result = run("lv-write.sh", args({ write: ["lvcreate", "-n", "v1", "vg"] }));
    expect(result.code).toBe(75);
    expect(result.stderr).toContain("was not free within 120 s");
    expect(result.calls.map((call) => call.split(" ")[0])).toEqual(["flock"]);
  });

  it("activates an LV that has no device, then gates it; without the lock when the caller holds it", () => {
    stub(
      "lvchange",
      `mkdir -p "$CINDERBLOCK_SYSFS/block/dm-9/dm"; echo 253:9 > "$CINDERBLOCK_SYSFS/block/dm-9/dev"; echo 64 > "$CINDERBLOCK_SYSFS/block/dm-9/size"; echo vg-v1 > "$CINDERBLOCK_SYSFS/block/dm-9/dm/name"; echo LVM-def > "$CINDERBLOCK_SYSFS/block/dm-9/dm/uuid"`,
    );
    stub("dmsetup");
    const result = run("lv-write.sh", args({ lock: "" }));
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(["lvchange -a y -K vg/v1", "dmsetup create cbgate-vg-v1 --uuid CBGATE-def --table 0 64 linear 253:9 0"]);
  });

  it("passes a failed activation through, and exits 76 when the device is still not there after it", () => {
    stub("lvchange", "exit 3");
    expect(run("lv-write.sh", args()).code).toBe(3);
    stub("lvchange");
    const absent = run("lv-write.sh", args());
    expect(absent.code).toBe(76);
    expect(absent.stderr).toContain("/dev/mapper/vg-v1 is not there after activation");
  });
});

describe("volume-remove.sh", () => {
  /** LOCK WAIT_S GATE MARK UNMARK WIPE REMOVE */
  const args = (wipe: string[] | undefined): string[] => [
    join(dir, "gates.lock"),
    "120",
    "cbgate-vg-v1",
    quoteArgv(["lvchange", "--addtag", "cb.deleting", "vg/v1"]),
    quoteArgv(["lvchange", "--deltag", "cb.deleting", "vg/v1"]),
    wipe ? quoteArgv(wipe) : "",
    quoteArgv(["lvremove", "-y", "vg/v1"]),
  ];

  beforeEach(() => {
    stub("lvchange");
    stub("lvremove");
    stub("dd");
  });

  it("marks, removes the gate under the lock, then wipes and removes the LV", () => {
    stub("dmsetup");
    const result = run("volume-remove.sh", args(["dd", "if=/dev/zero", "of=/dev/mapper/vg-v1"]));
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      "flock -w 120 9",
      "lvchange --addtag cb.deleting vg/v1",
      "dmsetup remove cbgate-vg-v1",
      "dd if=/dev/zero of=/dev/mapper/vg-v1",
      "lvremove -y vg/v1",
    ]);
  });

  it("without a wipe and a mark, removes the gate and the LV, all under the lock", () => {
    stub("dmsetup");
    stub("lvremove", `[ -e /proc/self/fd/9 ] && echo "lock still held" >&2`);
    const result = run("volume-remove.sh", [
      join(dir, "gates.lock"),
      "120",
      "cbgate-vg-v1",
      "",
      quoteArgv(["lvchange", "--deltag", "cb.deleting", "vg/v1"]),
      "",
      quoteArgv(["lvremove", "-y", "vg/v1"]),
    ]);
    expect(result.code).toBe(0);
    expect(result.calls).toEqual(["flock -w 120 9", "dmsetup remove cbgate-vg-v1", "lvremove -y vg/v1"]);
    expect(result.stderr).toContain("lock still held");
  });

  it("exits 77 and takes the mark back when the gate is held open, leaving the LV", () => {
    stub("dmsetup", `echo "remove ioctl on cbgate-vg-v1 failed: Device or resource busy" >&2; exit 1`);
    const result = run("volume-remove.sh", args(undefined));
    expect(result.code).toBe(77);
    expect(result.calls.slice(-1)).toEqual(["lvchange --deltag cb.deleting vg/v1"]);
    expect(result.calls.some((call) => call.startsWith("lvremove"))).toBe(false);
  });

  it("removes an LV whose gate is already gone", () => {
    stub("dmsetup", `echo "Device cbgate-vg-v1 not found" >&2; exit 1`);
    const result = run("volume-remove.sh", args(undefined));
    expect(result.code).toBe(0);
    expect(result.calls.at(-1)).toBe("lvremove -y vg/v1");
  });

  it("exits 78 when the gate cannot be removed for another reason, and 79 when the wipe fails", () => {
    stub("dmsetup", `echo "Permission denied" >&2; exit 1`);
    expect(run("volume-remove.sh", args(undefined)).code).toBe(78);
    stub("dmsetup");
    stub("dd", "exit 1");
    const wipeFailed = run("volume-remove.sh", args(["dd", "if=/dev/zero", "of=/dev/mapper/vg-v1"]));
    expect(wipeFailed.code).toBe(79);
    expect(wipeFailed.calls.some((call) => call.startsWith("lvremove"))).toBe(false);
  });

  it("passes lvremove's own failure through, for the driver's retry recipe", () => {
    stub("dmsetup");
    stub("lvremove", `echo "Logical volume vg/v1 in use." >&2; exit 5`);
    const result = run("volume-remove.sh", args(undefined));
    expect(result.code).toBe(5);
    expect(result.stderr).toContain("in use");
  });
});

describe("thin-create.sh", () => {
  const GIB = 1024 ** 3;
  /** The thin lock's LOCK WAIT_S VG POOL RATIO SIZE_BYTES, then lv-write.sh's arguments for a thin create of vg/v1. */
  const args = (ratio: string, sizeGib: number): string[] => [
    join(dir, "thin.lock"),
    "120",
    "vg",
    "pool",
    ratio,
    String(sizeGib * GIB),
    join(dir, "gates.lock"),
    "120",
    "/dev/mapper/vg-v1",
    "cbgate-vg-v1",
    quoteArgv(["lvcreate", "-T", "vg/pool", "-V", `${sizeGib * GIB}b`, "-n", "v1"]),
    quoteArgv(["lvchange", "-a", "y", "-K", "vg/v1"]),
  ];
  /** A 10 GiB pool whose thin volumes provision 8 GiB, beside a thick LV of 5 GiB that does not count. */
  const pool = () => stub("lvs", `printf '  pool ${10 * GIB} \\n  t1 ${6 * GIB} pool\\n  t2 ${2 * GIB} pool\\n  thick ${5 * GIB} \\n'`);

  it("reads the pool under the thin lock and creates and gates the volume when it stays within the ratio (up to it exactly)", () => {
    pool();
    stub(
      "lvcreate",
      `mkdir -p "$CINDERBLOCK_SYSFS/block/dm-7/dm"; echo 253:7 > "$CINDERBLOCK_SYSFS/block/dm-7/dev"; echo 8 > "$CINDERBLOCK_SYSFS/block/dm-7/size"; echo vg-v1 > "$CINDERBLOCK_SYSFS/block/dm-7/dm/name"; echo LVM-abc > "$CINDERBLOCK_SYSFS/block/dm-7/dm/uuid"`,
    );
    stub("dmsetup");
    const result = run("thin-create.sh", args("1.5", 7));
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      "flock -w 120 8",
      "lvs --noheadings --units b --nosuffix --separator   -o lv_name,lv_size,pool_lv vg",
      "flock -w 120 9",
      `lvcreate -T vg/pool -V ${7 * GIB}b -n v1`,
      "dmsetup create cbgate-vg-v1 --uuid CBGATE-abc --table 0 8 linear 253:7 0",
    ]);
  });

  it("exits 81 with the figures when the create would over-subscribe the pool, writing nothing", () => {
    pool();
    stub("lvcreate");
    const result = run("thin-create.sh", args("1.5", 8));
    expect(result.code).toBe(81);
    expect(result.stderr).toBe(`${8 * GIB} bytes more would over-subscribe thin pool pool beyond 1.5x its ${10 * GIB} bytes (${8 * GIB} bytes provisioned)\n`);
    expect(result.calls.map((call) => call.split(" ")[0])).toEqual(["flock", "lvs"]);
  });

  it("exits 75 when the thin lock is not free in time, 82 when the pool is not there, and passes a failed lvs through", () => {
    stub("flock", "exit 1");
    const locked = run("thin-create.sh", args("1", 1));
    expect(locked.code).toBe(75);
    expect(locked.calls).toEqual(["flock -w 120 8"]);
    stub("flock");
    stub("lvs", "printf '  other 1073741824 \\n'");
    const missing = run("thin-create.sh", args("1", 1));
    expect(missing.code).toBe(82);
    expect(missing.stderr).toBe("thin pool pool is not in the volume group\n");
    stub("lvs", `echo '  Volume group "vg" not found' >&2; exit 5`);
    const failed = run("thin-create.sh", args("1", 1));
    expect(failed.code).toBe(5);
    expect(failed.calls.at(-1)?.split(" ")[0]).toBe("lvs");
  });
});

describe("host-setup.sh", () => {
  /** The parts as host-setup.sh prints them: name → [exit, stdout, stderr]. */
  function parts(stdout: string): Record<string, [string, string, string]> {
    const out: Record<string, [string, string, string]> = {};
    for (const chunk of stdout.split("\x1e").slice(1)) {
      const [header = "", ...rest] = chunk.split("\n");
      const [name = "", exit = ""] = header.split(" ");
      const text = rest.join("\n");
      if (name.endsWith(".err")) (out[name.slice(0, -4)] as [string, string, string])[2] = text;
      else out[name] = [exit, text, ""];
    }
    return out;
  }

  it("runs the recovery with its arguments and the three devices-file reads, and prints each part with its own status", () => {
    stub("lvmconfig", `echo "use_devicesfile=1"`);
    stub("lvm", `case $1 in lvmdevices) echo "Device /dev/vdb DEVNAME=/dev/vdb" ;; pvs) echo "pvs failed" >&2; exit 5 ;; esac`);
    const recover = `echo "resumed=$3"; echo "recovering" >&2; exit 3`; // $1 is its mode, `recover`
    const result = run("host-setup.sh", [join(dir, "no-records"), "recover", "/run/x", "cbgate-", "120", "", "120"], hostSetupText(recover));
    expect(result.code).toBe(0);
    expect(Object.keys(parts(result.stdout))).toEqual(["recover", "use_devicesfile", "devices", "pvs", "exports"]);
    expect(parts(result.stdout)).toEqual({
      recover: ["3", "resumed=cbgate-\n", "recovering\n"],
      use_devicesfile: ["0", "use_devicesfile=1\n", ""],
      devices: ["0", "Device /dev/vdb DEVNAME=/dev/vdb\n", ""],
      pvs: ["5", "", "pvs failed\n"],
      exports: ["0", "", ""],
    });
    expect(result.calls.sort()).toEqual([
      "lvm lvmdevices",
      "lvm pvs --reportformat json -o pv_name,vg_name",
      "lvmconfig --type current devices/use_devicesfile",
    ]);
  });

  it("lists the export records whose target the kernel does not serve, in the same round trip", () => {
    stub("lvmconfig");
    stub("lvm");
    const records = join(dir, "exports");
    mkdirSync(records);
    const record = (name: string, target: string): void =>
      writeFileSync(join(records, name), `${JSON.stringify({ version: 1, protocol: "iscsi", target, initiators: [] })}\n`);
    record("served-iscsi.json", "iqn.2010-10.org.openstack:volume-a");
    record("served-nvme.json", "nqn.2014-08.org.openstack:volume-b");
    record("lost.json", "iqn.2010-10.org.openstack:volume-c");
    writeFileSync(join(records, "garbled.json"), "{");
    writeFileSync(join(records, "lost.json.tmp"), "");
    mkdirSync(join(dir, "sys", "kernel", "config", "target", "iscsi", "iqn.2010-10.org.openstack:volume-a"), { recursive: true });
    mkdirSync(join(dir, "sys", "kernel", "config", "nvmet", "subsystems", "nqn.2014-08.org.openstack:volume-b"), { recursive: true });
    const listed = (parts(run("host-setup.sh", [records, ""]).stdout).exports?.[1] ?? "").split("\n").filter(Boolean).sort();
    expect(listed).toEqual([join(records, "garbled.json"), join(records, "lost.json")]);
  });
});
