import { Readable } from "node:stream";
import { CommandError } from "../../drivers/ssh/errors";
import type { CommandResult, CommandRunner, HostRunners, RunOptions } from "../../drivers/ssh/exec";
import type { SshTarget } from "../../drivers/ssh/target";

/**
 * An in-memory LVM host for fast tests of the LVM driver's logic: a volume group with a thin
 * pool and an LV table, answering the commands the driver sends (the host report, the setup
 * checks, the write and remove scripts) the way the real ones do, and recording each command
 * by program (`lvm fullreport`, `lv-write.sh`, ...). Lab tests remain the proof on real LVM.
 */

interface FakeLv {
  name: string;
  sizeBytes: number;
  pool: string;
  origin: string;
  tags: string[];
  minor: number;
  time: string;
}

const VG = "cinder-volumes";
const POOL = `${VG}-pool`;
const VG_BYTES = 40 * 1024 ** 3;

/** Splits a command line made by quoteArgv back into its words (single quotes and `'\''`). */
function words(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      current += line.slice(i + 1, end);
      i = end;
      started = true;
    } else if (char === "\\") {
      current += line[++i] ?? "";
      started = true;
    } else if (char === " ") {
      if (started) out.push(current);
      current = "";
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (started) out.push(current);
  return out;
}

const optionValue = (argv: readonly string[], option: string): string | undefined => {
  const index = argv.indexOf(option);
  return index >= 0 ? argv[index + 1] : undefined;
};

export class FakeLvmHost implements CommandRunner {
  readonly host = "fake-1";
  /** Every command, by program: `lvm fullreport`, `dmsetup table`, `lv-write.sh`, ... */
  readonly calls: string[] = [];
  readonly lvs = new Map<string, FakeLv>();
  readonly gates = new Map<string, string>();
  /** What the group-snapshot window recovery prints at setup (group-snapshot.sh recover): nothing to recover by default. */
  recoverOutput = "";
  /** How many LV writes still find the VG full (as when another process took the space). */
  writesOutOfSpace = 0;
  /** The export records host setup finds unserved by the kernel (after a reboot: every one). */
  unservedExports: string[] = [];
  /** How full the thin pool's data is, in percent, as LVM reports it. */
  poolDataPercent = 1;
  /** How many `dmsetup table` listings still meet a device removed while they run (ENXIO). */
  vanishingTables = 0;
  /** Files of the conversion directory as doctor's look reads them: age in seconds, held open or not. */
  readonly staged = new Map<string, { ageS: number; open: boolean }>();
  /** Group-snapshot run directories (dead or live windows) and paused gates. */
  readonly windows = new Set<string>();
  readonly suspended = new Set<string>();
  /** Gates something holds open: `dmsetup remove` refuses them. */
  readonly openGates = new Set<string>();
  /** Runs before each `dd` copy (not a wipe) ends: a test holds a copy in flight with it. */
  beforeCopyEnds: () => Promise<void> = async () => undefined;
  /** Host locks held now (flock), by path, each with what releases it. */
  private readonly held = new Map<string, Promise<void>>();
  private nextMinor = 10;

  constructor() {
    this.lvs.set(POOL, { name: POOL, sizeBytes: 20 * 1024 ** 3, pool: "", origin: "", tags: [], minor: 3, time: "2026-12-05 09:00:00 +0000" });
  }

  /** A HostRunners that hands this host to the driver for every host name. */
  runners(): HostRunners {
    return { runner: (_name: string, _target: SshTarget) => this };
  }

  async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
    const [program = "", first, , scriptName, ...args] = argv;
    const shown = (program === "sh" || program === "bash") && first === "-c" ? (scriptName ?? program) : program === "lvm" ? `lvm ${first}` : program;
    this.calls.push(shown);
    await new Promise((resolve) => setImmediate(resolve)); // A host answers later, never synchronously.
    const ok = (stdout = ""): CommandResult => ({ host: this.host, argv, exitCode: 0, stdout, stderr: "", durationMs: 1 });
    switch (shown) {
      case "lvm fullreport":
        return ok(this.fullreport());
      case "dmsetup":
        if (first === "table" && this.vanishingTables > 0) {
          this.vanishingTables--;
          const stderr = "device-mapper: table ioctl on cbgate-cinder--volumes-gone  failed: No such device or address\nCommand failed.\n";
          throw this.failure(argv, 1, stderr);
        }
        // A thick snapshot's copy-on-write device: its header and one exception table, nothing saved.
        if (first === "status") return ok("0 2097152 snapshot 16/2097152 16\n");
        if (first === "table") return ok([...this.gates].map(([name, table]) => `${name}: ${table}`).join("\n") + "\n");
        if (first === "remove") {
          const gate = argv[2] ?? "";
          const stderr = this.openGates.has(gate)
            ? "device-mapper: remove ioctl failed: Device or resource busy\n"
            : "device-mapper: remove ioctl failed: No such device or address\n";
          if (!this.openGates.has(gate) && this.gates.delete(gate)) return ok();
          throw this.failure(argv, 1, stderr);
        }
        break;
      case "lock-hold":
        return this.holdLock(args[0] ?? "0", args[1] ?? "", argv, options);
      case "dd":
        if (!argv.includes("if=/dev/zero")) await this.beforeCopyEnds();
        return ok();
      case "blockdev":
        return ok("1073741824\n");
      case "udevadm":
        return ok();
      case "rm":
        for (const path of argv.slice(3)) this.staged.delete(path);
        return ok();
      case "cinderblock-doctor-look":
        return ok(
          [
            ...[...this.staged].map(([path, file]) => `staged ${file.ageS} ${file.open ? 1 : 0} ${path}`),
            ...[...this.windows].map((run) => `window ${run}`),
            ...[...this.suspended].map((gate) => `suspended ${gate}`),
          ].join("\n"),
        );
      case "host-setup.sh": {
        await new Promise((resolve) => setTimeout(resolve, 5)); // Longer than a report takes to start, as on a real host.
        // Its second argument is the recovery script, empty for a read-only look at the host.
        if (args[1]) this.calls.push("cinderblock-gsnap-recover");
        const part = (name: string, stdout: string): string => `\x1e${name} 0\n${stdout}\x1e${name}.err\n`;
        return ok(
          part("recover", this.recoverOutput) +
            part("use_devicesfile", "use_devicesfile=1\n") +
            part("devices", "Device /dev/vdb IDTYPE=devname IDNAME=/dev/vdb DEVNAME=/dev/vdb PVID=x\n") +
            part("pvs", JSON.stringify({ report: [{ pv: [{ pv_name: "/dev/vdb", vg_name: VG }] }] })) +
            part("exports", this.unservedExports.map((path) => `${path}\n`).join("")),
        );
      }
      case "cinderblock-gsnap-recover": {
        // The window recovery: dead windows disarmed, paused gates resumed.
        const out = [...[...this.windows].map((run) => `disarmed=${run}`), ...[...this.suspended].map((gate) => `resumed=${gate}`)];
        this.windows.clear();
        this.suspended.clear();
        return ok(out.join("\n"));
      }
      case "lv-write.sh":
        if (this.writesOutOfSpace > 0) {
          this.writesOutOfSpace--;
          const stderr = `  Volume group "${VG}" has insufficient free space (10 extents): 256 required.\n`;
          throw this.failure(argv, 5, stderr);
        }
        this.lvWrite(args);
        return ok();
      case "lvcreate":
      case "lvchange":
      case "lvextend":
        this.apply(argv);
        return ok();
      case "lvs": {
        const lv = this.lvs.get(argv.at(-1)?.split("/")[1] ?? "");
        if (lv) return ok(JSON.stringify({ report: [{ lv: [this.row(lv)] }] }));
        const stderr = `  Failed to find logical volume "${argv.at(-1) ?? ""}"\n`;
        throw this.failure(argv, 5, stderr);
      }
      case "thin-create.sh": {
        // Its check and the write that follows are one step here, as under its host lock.
        const [, , , pool = "", ratio = "", size = "", ...write] = args;
        const poolLv = this.lvs.get(pool);
        const provisioned = [...this.lvs.values()].filter((lv) => lv.pool === pool).reduce((sum, lv) => sum + lv.sizeBytes, 0);
        if (poolLv && provisioned + Number(size) > poolLv.sizeBytes * Number(ratio)) {
          throw this.failure(
            argv,
            81,
            `${size} bytes more would over-subscribe thin pool ${pool} beyond ${ratio}x its ${poolLv.sizeBytes} bytes (${provisioned} bytes provisioned)\n`,
          );
        }
        this.lvWrite(write);
        return ok();
      }
      case "volume-remove.sh":
        this.volumeRemove(args);
        return ok();
      case "lvremove":
        this.lvs.delete(argv.at(-1)?.split("/")[1] ?? "");
        return ok();
    }
    throw this.failure(argv, 127, `fake host: no ${shown}`);
  }

  /** A command that failed as the real one does: its exit code and what it said on stderr. */
  private failure(argv: readonly string[], exitCode: number, stderr: string): CommandError {
    return new CommandError({ host: this.host, argv, exitCode, signal: undefined, stdout: "", stderr, durationMs: 1, timedOut: false, cancelled: false });
  }

  /** The driver's lock holder (host.ts): waits up to `wait` s for `path`, says `locked`, holds it until stdin ends. */
  private async holdLock(wait: string, path: string, argv: readonly string[], options: RunOptions | undefined): Promise<CommandResult> {
    for (let held = this.held.get(path); held; held = this.held.get(path)) {
      if (Number(wait) === 0) {
        throw this.failure(argv, 1, "");
      }
      await held;
    }
    let release: () => void = () => undefined;
    this.held.set(path, new Promise<void>((resolve) => (release = resolve)));
    options?.stdout?.write("locked\n");
    const stdin = options?.stdin;
    if (stdin instanceof Readable) await new Promise((resolve) => stdin.on("end", resolve).resume());
    this.held.delete(path);
    release();
    return { host: this.host, argv, exitCode: 0, stdout: "", stderr: "", durationMs: 1 };
  }

  /** Whether a host lock is held now. */
  holds(lock: string): boolean {
    return [...this.held.keys()].some((path) => path.includes(lock));
  }

  private lvWrite([, , device = "", gate = "", write = ""]: string[]): void {
    // WRITE is commands joined by `&&`, each quoted word by word.
    let command: string[] = [];
    for (const word of [...words(write), "&&"]) {
      if (word !== "&&") command.push(word);
      else if (command.length > 0) {
        this.apply(command);
        command = [];
      }
    }
    const lv = [...this.lvs.values()].find((each) => device === `/dev/mapper/${VG.replace(/-/g, "--")}-${each.name.replace(/-/g, "--")}`);
    if (gate && lv) this.gates.set(gate, `0 ${lv.sizeBytes / 512} linear 253:${lv.minor} 0`);
  }

  /** An lvcreate, lvextend or tag change, on the LV table. */
  private apply(argv: readonly string[]): void {
    const name = optionValue(argv, "-n") ?? argv.at(-1)?.split("/")[1] ?? "";
    if (argv[0] === "lvcreate") {
      if (this.lvs.has(name)) {
        const stderr = `  Logical Volume "${name}" already exists in volume group "${VG}"\n`;
        throw this.failure(argv, 5, stderr);
      }
      const tags = argv.flatMap((word, i) => (argv[i - 1] === "--addtag" ? [word] : []));
      const origin = argv.includes("-s") ? this.lvs.get(argv.at(-1)?.split("/")[1] ?? "") : undefined;
      const size = origin?.sizeBytes ?? Number((optionValue(argv, "-V") ?? optionValue(argv, "-L") ?? "0").replace(/b$/, ""));
      const pool = origin ? origin.pool : argv.includes("-T") ? POOL : "";
      this.lvs.set(name, { name, sizeBytes: size, pool, origin: origin?.name ?? "", tags, minor: this.nextMinor++, time: "2026-12-05 10:00:00 +0000" });
    } else if (argv[0] === "lvextend") {
      const lv = this.lvs.get(name);
      if (lv) lv.sizeBytes = Number((optionValue(argv, "-L") ?? "0").replace(/b$/, ""));
    } else if (argv[0] === "lvchange") {
      const lv = this.lvs.get(name);
      const removed = argv.filter((_, i) => argv[i - 1] === "--deltag");
      if (lv) lv.tags = [...lv.tags.filter((tag) => !removed.includes(tag)), ...argv.filter((_, i) => argv[i - 1] === "--addtag")];
    }
  }

  private volumeRemove([, , gate = "", , , , remove = ""]: string[]): void {
    this.gates.delete(gate);
    this.lvs.delete(words(remove).at(-1)?.split("/")[1] ?? "");
  }

  private row(lv: FakeLv): Record<string, string> {
    const attr = lv.name === POOL ? "twi-aotz--" : lv.pool ? "Vwi-a-tz--" : "-wi-a-----";
    return {
      lv_name: lv.name,
      vg_name: VG,
      lv_uuid: `uuid-${lv.name}`,
      lv_size: String(lv.sizeBytes),
      lv_attr: attr,
      lv_tags: lv.tags.join(","),
      origin: lv.origin,
      pool_lv: lv.pool,
      data_percent: lv.name === POOL ? this.poolDataPercent.toFixed(2) : "0.00",
      metadata_percent: lv.name === POOL ? "10.00" : "",
      lv_time: lv.time,
      lv_kernel_major: "253",
      lv_kernel_minor: String(lv.minor),
    };
  }

  private fullreport(): string {
    const used = [...this.lvs.values()].filter((lv) => !lv.pool).reduce((sum, lv) => sum + lv.sizeBytes, 0);
    const vg = {
      vg_name: VG,
      vg_uuid: "vg-uuid",
      vg_size: String(VG_BYTES),
      vg_free: String(VG_BYTES - used),
      vg_extent_size: "4194304",
      lv_count: String(this.lvs.size),
    };
    return JSON.stringify({ report: [{ vg: [vg], lv: [...this.lvs.values()].map((lv) => this.row(lv)) }] });
  }
}
