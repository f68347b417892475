import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SET_TAG } from "../../../../../drivers/lvm/groups/sets";
import { recoverArgs, windowArgs, type WindowMember } from "../../../../../drivers/lvm/groups/window";
import { scriptArgv } from "../../../../../drivers/lvm/core/hostScripts";
import { stubProgram } from "../../../../fakes/stubProgram";

/**
 * group-snapshot.sh run by real bash against stub programs (dmsetup, lvs, lvcreate, ...) that log
 * their argv and keep device-mapper's state in a file, with sysfs and /dev/mapper in a
 * temporary tree: every branch of the exit-code protocol without LVM or device-mapper.
 */
let dir: string;
let log: string;

const stub = (name: string, body?: string): void => stubProgram(join(dir, "bin"), log, name, body);

/** device-mapper as a file of `name|Active` / `name|Suspended` lines, and a file of tables. */
const DMSETUP = `state="$DIR/dm.state"
case $1 in
  info)
    case "$*" in
      *"-o open"*) echo "    1" ;;
      *) shift 7; if [ $# -eq 0 ]; then cat "$state"; else for g in "$@"; do grep "^$g|" "$state"; done; fi ;;
    esac ;;
  table) cat "$DIR/dm.tables" ;;
  suspend) for g in "$@"; do [ "$g" = suspend ] || sed -i "s/^$g|.*/$g|Suspended/" "$state"; done ;;
  resume) shift; for g in "$@"; do [ "$g" = --noudevsync ] && continue; [ -e "$DIR/fail-resume-$g" ] && exit 1; sed -i "s/^$g|.*/$g|Active/" "$state"; done ;;
esac`;

function dm(devices: Record<string, "Active" | "Suspended">, tables: Record<string, string> = {}): void {
  writeFileSync(
    join(dir, "dm.state"),
    Object.entries(devices)
      .map(([name, state]) => `${name}|${state}\n`)
      .join(""),
  );
  writeFileSync(
    join(dir, "dm.tables"),
    Object.entries(tables)
      .map(([name, table]) => `${name}: ${table}\n`)
      .join(""),
  );
}

function calls(): string[] {
  return readFileSync(log, "utf8").split("\n").filter(Boolean);
}

const env = (): NodeJS.ProcessEnv => ({
  PATH: `${join(dir, "bin")}:/usr/bin:/bin`,
  LC_ALL: "C",
  DIR: dir,
  CINDERBLOCK_SYSFS: join(dir, "sys"),
  CINDERBLOCK_DEV: join(dir, "dev"),
  // Detaching into a session of its own is for the real transport; here the test is the parent.
  CINDERBLOCK_GSNAP_DETACHED: "1",
});

function run(args: readonly string[]): { code: number; stdout: string } {
  const [program = "", ...rest] = scriptArgv("group-snapshot.sh", args, "cinderblock-gsnap");
  const result = spawnSync(program, rest, { env: env(), encoding: "utf8" });
  return { code: result.status ?? -1, stdout: result.stdout };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cb-gsnap-"));
  log = join(dir, "calls.log");
  writeFileSync(log, "");
  mkdirSync(join(dir, "bin"));
  for (const name of ["flock", "logger", "lvchange", "udevadm"]) stub(name);
  stub("dmsetup", DMSETUP);
  stub("pgrep", "exit 1");
  dm({});
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("group-snapshot.sh recover", () => {
  const args = (overrides: { lock?: string; lvcreateWait?: string } = {}): string[] => {
    const [mode = "", , gatePrefix = "", lvcreateWait = "", , lockWait = ""] = recoverArgs(false);
    return [mode, join(dir, "run"), gatePrefix, overrides.lvcreateWait ?? lvcreateWait, overrides.lock ?? join(dir, "gs.lock"), lockWait];
  };

  it("disarms a dead window, resumes the gates it left paused (naming one that would not resume), leaves other devices alone", () => {
    mkdirSync(join(dir, "run", "run.abc"), { recursive: true });
    writeFileSync(join(dir, "run", "run.abc", "watchdog"), "999999\n");
    dm({ "cbgate-vg-a": "Suspended", "cbgate-vg-b": "Suspended", "cbgate-vg-c": "Active", "other-dev": "Suspended" });
    writeFileSync(join(dir, "fail-resume-cbgate-vg-b"), "");
    const result = run(args());
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([`disarmed=${join(dir, "run", "run.abc")}`, "resumed=cbgate-vg-a", "resume_failed=cbgate-vg-b"]);
    expect(existsSync(join(dir, "run", "run.abc"))).toBe(false);
    expect(readFileSync(join(dir, "dm.state"), "utf8")).toContain("other-dev|Suspended");
  });

  it("waits for a snapshot command a dead window left running (one of a set: the tag the driver gives them), never killing it", () => {
    stub("pgrep", `n=$(cat "$DIR/pgrep.count" 2>/dev/null || echo 0); echo $((n + 1)) > "$DIR/pgrep.count"; [ "$n" -lt 2 ]`);
    const result = run(args());
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("waited=2\n");
    const pattern =
      calls()
        .find((call) => call.startsWith("pgrep"))
        ?.replace(/^pgrep -f /, "") ?? "";
    expect(new RegExp(pattern).test(`lvcreate --yes --quiet -s -n s1 --addtag ${SET_TAG}=1234 vg/a`)).toBe(true);
    expect(new RegExp(pattern).test("lvcreate --yes --quiet -s -n s1 vg/a")).toBe(false);
    expect(calls().some((call) => call.startsWith("kill"))).toBe(false);
  });

  it("waits for the lvm shell a dead window left running (its pid and start time in the window's directory), never killing it", () => {
    const shell = spawn("sleep", ["1.5"]);
    const started = readFileSync(`/proc/${shell.pid}/stat`, "utf8").split(" ")[21];
    mkdirSync(join(dir, "run", "run.abc"), { recursive: true });
    writeFileSync(join(dir, "run", "run.abc", "lvm"), `${shell.pid} ${started}\n`);
    // A pid whose start time differs is another process (the pid was reused): not waited for.
    mkdirSync(join(dir, "run", "run.def"), { recursive: true });
    writeFileSync(join(dir, "run", "run.def", "lvm"), `${process.pid} 1\n`);
    const result = run(args());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/waited=[1-4]\n$/);
    expect(calls().some((call) => call.startsWith("kill"))).toBe(false);
  });

  it("refuses (exit 3) when that command is still running after its wait", () => {
    stub("pgrep", "exit 0");
    const result = run(args({ lvcreateWait: "1" }));
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^refused=state\|a snapshot command of an abandoned group snapshot is still running after 1 s\n$/);
  });

  it("refuses (exit 3) when another group snapshot holds the host's lock past the wait, having changed nothing", () => {
    stub("flock", "exit 1");
    dm({ "cbgate-vg-a": "Suspended" });
    const result = run(args());
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/^refused=lock\|another group snapshot on this host held the lock for \d+ s\n$/);
    expect(calls().some((call) => call.startsWith("dmsetup resume"))).toBe(false);
  });

  it("takes no lock when the caller holds it", () => {
    expect(run(args({ lock: "" })).code).toBe(0);
    expect(calls().some((call) => call.startsWith("flock"))).toBe(false);
  });

  it("refuses an unknown mode", () => {
    const result = run(["nonsense"]);
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("refused=usage|unknown mode 'nonsense' (recover or take)\n");
  });
});

describe("group-snapshot.sh take", () => {
  const SECTORS = 2048;
  const members: WindowMember[] = [
    {
      lvName: "a",
      gate: "cbgate-vg-a",
      snapshotName: "s-a",
      create: { kind: "thinSnapshot", name: "s-a", origin: "a", tags: ["cinderblock", "cb.incomplete"], activate: false },
    },
    {
      lvName: "b",
      gate: "cbgate-vg-b",
      snapshotName: "s-b",
      create: { kind: "thinSnapshot", name: "s-b", origin: "b", tags: ["cinderblock", "cb.incomplete"], activate: false },
    },
  ];
  const mark = ["lvchange", "--quiet", "--addtag", "cb.gsnap-complete", "vg/s-a", "vg/s-b"];

  function args(completion = mark): string[] {
    const all = ["take", ...windowArgs("vg", members, completion, { maxPauseSeconds: 30, suspendTimeoutSeconds: 10 })];
    all[1] = join(dir, "gs.lock");
    all[3] = join(dir, "run");
    return all;
  }

  function stubLvs(pool = { data: "10.00", meta: "5.00" }): void {
    const rows = [`  a|253|5|${SECTORS * 512}|pool||`, `  b|253|6|${SECTORS * 512}|pool||`, `  pool|253|4|${SECTORS * 5120}||${pool.data}|${pool.meta}`];
    stub(
      "lvs",
      `case "$*" in *lv_kernel_major*) printf '%s\\n' ${rows.map((row) => `'${row}'`).join(" ")} ;; *) printf '  %s\\n' a b pool; cat "$DIR/created" 2>/dev/null ;; esac`,
    );
  }

  /**
   * The lvm shell: logs each line it reads as `lvm< LINE`; the snapshot named after `-n` is
   * created unless a file fail-<name> says LVM refuses it; `slow` makes each command take a second.
   */
  function stubLvmShell(slow = false): void {
    stub(
      "lvm",
      `while IFS= read -r line; do
  echo "lvm< $line" >> "${log}"
  ${slow ? "sleep 1" : ""}
  name=$(printf '%s\\n' "$line" | sed -n "s/.*'-n' '\\([^']*\\)'.*/\\1/p")
  if [ -e "$DIR/fail-$name" ]; then echo "  Insufficient free space" >&2; echo "  Command failed with status code 5." >&2; else echo "$name" >> "$DIR/created"; fi
  echo "lvm done $name" >> "${log}"
done`,
    );
  }

  const shellLine = (name: string, origin: string): string =>
    `lvm< 'lvcreate' '--yes' '--quiet' '-s' '-n' '${name}' '--addtag' 'cinderblock' '--addtag' 'cb.incomplete' 'vg/${origin}' '--noudevsync' '--config' 'devices/ignore_suspended_devices=1' `;

  /** Two healthy members: active LVs (253:5, 253:6) of a thin pool, each held only by its gate (dm-7, dm-8). */
  function healthy(): void {
    stub("lvmconfig", `echo use_devicesfile=1`);
    stubLvs();
    stubLvmShell();
    dm({ "cbgate-vg-a": "Active", "cbgate-vg-b": "Active" }, { "cbgate-vg-a": `0 ${SECTORS} linear 253:5 0`, "cbgate-vg-b": `0 ${SECTORS} linear 253:6 0` });
    mkdirSync(join(dir, "dev", "mapper"), { recursive: true });
    for (const [minor, gateMinor, gate] of [
      [5, 7, "cbgate-vg-a"],
      [6, 8, "cbgate-vg-b"],
    ] as const) {
      mkdirSync(join(dir, "sys", "dev", "block", `253:${minor}`, "holders", `dm-${gateMinor}`), { recursive: true });
      symlinkSync(`../dm-${gateMinor}`, join(dir, "dev", "mapper", gate));
    }
  }

  it("pauses every gate with a flushing suspend, snapshots each member inside the pause in one lvm shell, resumes, waits for udev, then marks the set complete", () => {
    healthy();
    const result = run(args());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^member=a\|ok\nmember=b\|ok\npaused_at=[\d.]+\nresumed_at=[\d.]+\nsuspend_us=\d+\npause_us=\d+\n$/);
    const order = calls().filter((call) => /^(dmsetup (suspend|resume)|lvm $|lvm<|lvcreate|lvchange|udevadm)/.test(call));
    expect(order).toEqual([
      "dmsetup suspend cbgate-vg-a cbgate-vg-b",
      "lvm ",
      shellLine("s-a", "a"),
      shellLine("s-b", "b"),
      "dmsetup resume --noudevsync cbgate-vg-a cbgate-vg-b",
      "udevadm settle --timeout=30",
      "lvchange --quiet --addtag cb.gsnap-complete vg/s-a vg/s-b",
    ]);
    expect(readdirSync(join(dir, "run"))).toEqual([]);
  });

  it("abandons the set when a member's snapshot fails: resumes every gate once, says which failed with LVM's reason, marks nothing, exit 4", () => {
    healthy();
    writeFileSync(join(dir, "fail-s-a"), "");
    const result = run(args());
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("member=a|failed|  Command failed with status code 5.\nmember=b|ok\n");
    expect(result.stdout).toContain("aborted=the snapshot of vg/a failed\n");
    // The shell went on to the next member inside the same pause.
    expect(calls().filter((call) => call.startsWith("lvm<"))).toEqual([shellLine("s-a", "a"), shellLine("s-b", "b")]);
    expect(calls().filter((call) => call.startsWith("dmsetup resume"))).toEqual(["dmsetup resume --noudevsync cbgate-vg-a cbgate-vg-b"]);
    expect(calls().some((call) => call.startsWith("lvchange"))).toBe(false);
    expect(readFileSync(join(dir, "dm.state"), "utf8")).toBe("cbgate-vg-a|Active\ncbgate-vg-b|Active\n");
  });

  it("ignores a dropped connection's SIGHUP, and on SIGTERM waits for the running snapshot (never killing it), resumes, exit 4", async () => {
    healthy();
    stubLvmShell(true);
    const [program = "", ...rest] = scriptArgv("group-snapshot.sh", args(), "cinderblock-gsnap");
    const child = spawn(program, rest, { env: env(), stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    while (!calls().some((call) => call.startsWith("lvm<"))) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill("SIGHUP");
    await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    expect(await exited).toBe(4);
    expect(stdout).toContain("aborted=interrupted by a signal\n");
    // Both lines were read and done: the shell ran to its end, never killed.
    expect(calls().filter((call) => call.startsWith("lvm done"))).toHaveLength(2);
    expect(readFileSync(join(dir, "dm.state"), "utf8")).toBe("cbgate-vg-a|Active\ncbgate-vg-b|Active\n");
  }, 30_000);

  it.each([
    ["the devices file is off", () => stub("lvmconfig", "echo use_devicesfile=0"), /^refused=config\|LVM on this host does not use a devices file/],
    ["a member is missing", () => stub("lvs", "printf '  a|253|5|1048576|pool||\\n'"), /^refused=missing\|vg\/b does not exist/],
    [
      "a gate does not map its LV exactly",
      () => writeFileSync(join(dir, "dm.tables"), `cbgate-vg-a: 0 ${SECTORS} linear 253:5 0\ncbgate-vg-b: 0 8 linear 253:6 0\n`),
      /^refused=state\|the gate cbgate-vg-b does not map exactly vg\/b/,
    ],
    [
      "something besides its gate holds a member",
      () => mkdirSync(join(dir, "sys", "dev", "block", "253:5", "holders", "dm-9")),
      /^refused=busy\|a\|vg\/a is held by dm-7 dm-9/,
    ],
    [
      "the thin pool is nearly full",
      () => stubLvs({ data: "95.00", meta: "5.00" }),
      /^refused=full\|the thin pool vg\/pool is too full for a group snapshot \(data 95.00%/,
    ],
  ])("refuses (exit 3) before pausing anything when %s", (_case, breakIt, message) => {
    healthy();
    breakIt();
    const result = run(args());
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(message);
    expect(calls().some((call) => call.startsWith("dmsetup suspend"))).toBe(false);
  });

  it("refuses arguments whose completion is not an lvchange", () => {
    healthy();
    const result = run(args(["rm", "-rf", "/"]));
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("refused=usage|malformed arguments\n");
  });
});
