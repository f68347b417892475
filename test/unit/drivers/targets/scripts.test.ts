import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { LIO_APPLY, LIO_PROBE, LIO_REMOVE, NVMET_APPLY, NVMET_PROBE, NVMET_REMOVE } from "../../../../drivers/targets/scripts";

/**
 * The LIO and nvmet scripts run by dash against a configfs tree in a temporary directory
 * (CINDERBLOCK_CONFIGFS) and stub programs: `mkdir` makes the attributes and default groups the
 * kernel makes in a new configfs directory, `rmdir` refuses a directory that still holds a link
 * or a directory of its own (as configfs does), `modprobe` makes the trees loading the modules
 * makes, `lsblk` answers the discard size the test sets. Every exit code and what each leaves.
 */
let dir: string;
let configfs: string;
let device: string;

/** Attributes and default groups configfs makes in a new directory, by its place in the tree. */
const CONFIGFS_STUBS = `#!/bin/sh
name=$1
shift
log() { echo "$name $*" >> "$DIR/calls.log"; }
attr() { [ -e "$1" ] || printf '%s\\n' "$2" > "$1"; }
made() {
  case \${1#"$CINDERBLOCK_CONFIGFS"/} in
    target/core/iblock_203/*/*) ;;
    target/core/iblock_203/*) /bin/mkdir -p "$1/wwn" "$1/attrib"; attr "$1/enable" 0; attr "$1/udev_path" ""; attr "$1/attrib/emulate_tpu" 0 ;;
    target/iscsi/*/tpgt_*/acls/*/*) ;;
    target/iscsi/*/tpgt_*/acls/*) /bin/mkdir -p "$1/auth"; for a in userid password userid_mutual password_mutual; do attr "$1/auth/$a" ""; done ;;
    target/iscsi/*/tpgt_*/*) ;;
    target/iscsi/*/tpgt_*) /bin/mkdir -p "$1/attrib" "$1/acls" "$1/lun" "$1/np" "$1/param"; attr "$1/enable" 0
      for a in generate_node_acls cache_dynamic_acls demo_mode_write_protect authentication; do attr "$1/attrib/$a" 1; done ;;
    nvmet/subsystems/*/namespaces/*) attr "$1/device_path" ""; attr "$1/device_uuid" ""; attr "$1/enable" 0 ;;
    nvmet/subsystems/*/*) ;;
    nvmet/subsystems/*) /bin/mkdir -p "$1/namespaces" "$1/allowed_hosts"; attr "$1/attr_allow_any_host" 1 ;;
    nvmet/ports/*/*) ;;
    nvmet/ports/*) /bin/mkdir -p "$1/subsystems"; for a in addr_trtype addr_adrfam addr_traddr addr_trsvcid; do attr "$1/$a" ""; done ;;
    nvmet/hosts/*) [ -z "$KERNEL_AUTH" ] || attr "$1/dhchap_key" "" ;;
  esac
}
case $name in
  mkdir)
    /bin/mkdir "$@" || exit
    for path in "$@"; do
      case $path in -*) continue ;; esac
      while :; do
        case $path in "$CINDERBLOCK_CONFIGFS"/*) made "$path"; path=$(dirname "$path") ;; *) break ;; esac
      done
    done ;;
  rmdir)
    log "$@"
    for path in "$@"; do
      if [ -n "$(find "$path" -mindepth 1 \\( -type l -o -type d ! -name wwn ! -name attrib ! -name auth ! -name acls ! -name lun ! -name np ! -name param ! -name namespaces ! -name allowed_hosts ! -name subsystems \\) -print -quit)" ]; then
        echo "rmdir: failed to remove '$path': Directory not empty" >&2; exit 1
      fi
      rm -rf "$path"
    done ;;
  modprobe)
    log "$@"
    case $* in *nvmet*) /bin/mkdir -p "$CINDERBLOCK_CONFIGFS/nvmet/subsystems" "$CINDERBLOCK_CONFIGFS/nvmet/ports" "$CINDERBLOCK_CONFIGFS/nvmet/hosts" ;;
      *) /bin/mkdir -p "$CINDERBLOCK_CONFIGFS/target/core" "$CINDERBLOCK_CONFIGFS/target/iscsi" ;; esac ;;
  lsblk) printf '  %s\\n' "\${DISC_MAX:-0}" ;;
esac
`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(script: string, args: readonly string[], stdin = "", extra: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync("dash", ["-c", script, "sh", ...args], {
    input: stdin,
    encoding: "utf8",
    env: { PATH: `${join(dir, "bin")}:/usr/bin:/bin`, LC_ALL: "C", DIR: dir, CINDERBLOCK_CONFIGFS: configfs, ...extra },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const calls = (): string[] => (existsSync(join(dir, "calls.log")) ? readFileSync(join(dir, "calls.log"), "utf8").split("\n").filter(Boolean) : []);
const read = (path: string): string => readFileSync(join(configfs, path), "utf8").trim();
const link = (path: string): string => relative(configfs, readlinkSync(join(configfs, path)));

/** The tree as `path`, `path -> target` and `path = value` lines, to show a run changed nothing. */
function tree(root = configfs): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .sort()
    .map((path) => {
      const full = join(root, path);
      const stat = lstatSync(full);
      if (stat.isSymbolicLink()) return `${path} -> ${readlinkSync(full)}`;
      return stat.isFile() ? `${path} = ${readFileSync(full, "utf8")}` : path;
    });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cb-targets-"));
  configfs = join(dir, "config");
  mkdirSync(configfs);
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "stub"), CONFIGFS_STUBS);
  chmodSync(join(dir, "bin", "stub"), 0o755);
  for (const name of ["mkdir", "rmdir", "modprobe", "lsblk"]) {
    writeFileSync(join(dir, "bin", name), `#!/bin/sh\nexec "${join(dir, "bin", "stub")}" ${name} "$@"\n`);
    chmodSync(join(dir, "bin", name), 0o755);
  }
  // The volume's gate: any block device node will do (the scripts test `-b` and ask lsblk).
  device = join(dir, "gate");
  const made = spawnSync("mknod", [device, "b", "7", "250"], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`these tests make a block device node and need root for it: ${made.stderr}`);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const IQN = "iqn.2025-01.dev.cinderblock:volume-0f5d2c9e";
const A = "iqn.2004-10.org.example:a";
const B = "iqn.2004-10.org.example:b";
const TPG = `target/iscsi/${IQN}/tpgt_1`;
const BACKSTORE = "target/core/iblock_203/cbgate-vg-data";
const RECORD_LINE = '{"version":1,"protocol":"iscsi"}';

describe("lio-apply.sh", () => {
  const record = (): string => join(dir, "exports", "vg", "data.json");
  const apply = (initiators: readonly string[], credentials: string, extra: NodeJS.ProcessEnv = {}): Run =>
    run(LIO_APPLY, [IQN, "cbgate-vg-data", device, "0.0.0.0:3260", "SERIAL-1", record(), ...initiators], `${RECORD_LINE}\n${credentials}`, extra);

  it("on a host that never served a target: loads LIO, makes a closed target over the device with one CHAP ACL per initiator, and writes the record first, root's alone", () => {
    const done = apply([A, B], `${A} userA secretA\n${B} userB secretB\n`);
    expect(done).toEqual({ code: 0, stdout: "discard=0\n", stderr: "" });
    expect(calls()).toContain("modprobe -a target_core_mod target_core_iblock iscsi_target_mod");
    expect([read(`${BACKSTORE}/udev_path`), read(`${BACKSTORE}/control`), read(`${BACKSTORE}/wwn/vpd_unit_serial`), read(`${BACKSTORE}/enable`)]).toEqual([
      device,
      `udev_path=${device}`,
      "SERIAL-1",
      "1",
    ]);
    expect(read(`${BACKSTORE}/attrib/emulate_tpu`)).toBe("0");
    expect(["generate_node_acls", "cache_dynamic_acls", "demo_mode_write_protect", "authentication"].map((a) => read(`${TPG}/attrib/${a}`))).toEqual([
      "0",
      "0",
      "1",
      "1",
    ]);
    expect(read(`${TPG}/enable`)).toBe("1");
    expect(existsSync(join(configfs, TPG, "np", "0.0.0.0:3260"))).toBe(true);
    expect(link(`${TPG}/lun/lun_0/cinderblock`)).toBe(BACKSTORE);
    expect(readdirSync(join(configfs, TPG, "acls")).sort()).toEqual([A, B]);
    expect([read(`${TPG}/acls/${A}/auth/userid`), read(`${TPG}/acls/${A}/auth/password`), read(`${TPG}/acls/${B}/auth/password`)]).toEqual([
      "userA",
      "secretA",
      "secretB",
    ]);
    expect(link(`${TPG}/acls/${A}/lun_0/cinderblock`)).toBe(`${TPG}/lun/lun_0`);
    expect(readFileSync(record(), "utf8")).toBe(`${RECORD_LINE}\n`);
    expect(statSync(record()).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "exports", "vg")).mode & 0o777).toBe(0o700);
  });

  it("with mutual CHAP: sets the target's own credentials in the initiator's ACL, and unsets them (NULL) when a later run has none", () => {
    expect(apply([A, B], `${A} userA secretA targetA tsecretA\n${B} userB secretB\n`).code).toBe(0);
    expect([read(`${TPG}/acls/${A}/auth/userid_mutual`), read(`${TPG}/acls/${A}/auth/password_mutual`)]).toEqual(["targetA", "tsecretA"]);
    expect(read(`${TPG}/acls/${B}/auth/userid_mutual`)).toBe("");
    expect(apply([A, B], `${A} userA secretA\n${B} userB secretB\n`).code).toBe(0);
    expect([read(`${TPG}/acls/${A}/auth/userid_mutual`), read(`${TPG}/acls/${A}/auth/password_mutual`)]).toEqual(["NULL", "NULL"]);
    expect(read(`${TPG}/acls/${B}/auth/userid_mutual`)).toBe("");
  });

  it("offers discards where the device has them (emulate_tpu)", () => {
    expect(apply([A], `${A} u s\n`, { DISC_MAX: "4294966784" }).stdout).toBe("discard=1\n");
    expect(read(`${BACKSTORE}/attrib/emulate_tpu`)).toBe("1");
  });

  it("run again: keeps what matches, takes new credentials, drops the ACL of an initiator no longer listed (LIO closes its sessions), loads nothing again", () => {
    apply([A, B], `${A} userA secretA\n${B} userB secretB\n`);
    const before = calls().length;
    expect(apply([A], `${A} userA secretA2\n`).code).toBe(0);
    expect(readdirSync(join(configfs, TPG, "acls"))).toEqual([A]);
    expect(read(`${TPG}/acls/${A}/auth/password`)).toBe("secretA2");
    expect(calls().slice(before)).toEqual([`rmdir ${join(configfs, TPG, "acls", B, "lun_0")}`, `rmdir ${join(configfs, TPG, "acls", B)}`]);
  });

  it("exits 3 when the device is missing (the volume's gate is not set up), with the record written and configfs untouched", () => {
    const done = run(LIO_APPLY, [IQN, "cbgate-vg-data", join(dir, "none"), "0.0.0.0:3260", "S", record(), A], `${RECORD_LINE}\n${A} u s\n`);
    expect(done.code).toBe(3);
    expect(done.stderr).toBe(`device ${join(dir, "none")} does not exist (the volume's gate is not set up)\n`);
    expect(tree()).toEqual([]);
    expect(readFileSync(record(), "utf8")).toBe(`${RECORD_LINE}\n`);
  });

  it("exits 4, changing nothing, when the backstore of that name serves another device", () => {
    apply([A], `${A} u s\n`);
    const other = join(dir, "other");
    spawnSync("mknod", [other, "b", "7", "251"]);
    const before = tree();
    const done = run(LIO_APPLY, [IQN, "cbgate-vg-data", other, "0.0.0.0:3260", "S", record(), A], `${RECORD_LINE}\n${A} u s\n`);
    expect(done).toMatchObject({ code: 4, stderr: `backstore cbgate-vg-data serves ${device}, not ${other}\n` });
    expect(tree()).toEqual(before);
  });

  it("exits 4 when the target's LUN 0 already serves another backstore (another target took this name)", () => {
    apply([A], `${A} u s\n`);
    const done = run(LIO_APPLY, [IQN, "cbgate-vg-other", device, "0.0.0.0:3260", "S", record(), A], `${RECORD_LINE}\n${A} u s\n`);
    expect(done.code).toBe(4);
    expect(done.stderr).toBe(`${IQN} LUN 0 already serves ${join(configfs, BACKSTORE)}\n`);
    expect(readdirSync(join(configfs, TPG, "lun", "lun_0"))).toEqual(["cinderblock"]);
  });

  it("exits 2 on credentials for an initiator that is not granted, making no ACL for it", () => {
    const done = apply([A], `${B} u s\n`);
    expect(done).toMatchObject({ code: 2, stderr: `credentials for ${B}, which is not granted\n` });
    expect(readdirSync(join(configfs, TPG, "acls"))).toEqual([]);
  });
});

describe("lio-probe.sh", () => {
  it("reports the device's discard support and changes nothing", () => {
    run(LIO_APPLY, [IQN, "cbgate-vg-data", device, "0.0.0.0:3260", "S", join(dir, "r.json"), A], `${RECORD_LINE}\n${A} u s\n`);
    const before = [tree(), calls()];
    expect(run(LIO_PROBE, [device], "", { DISC_MAX: "512" })).toEqual({ code: 0, stdout: "discard=1\n", stderr: "" });
    expect(run(LIO_PROBE, [device])).toEqual({ code: 0, stdout: "discard=0\n", stderr: "" });
    expect(run(LIO_PROBE, [join(dir, "none")], "", { DISC_MAX: "512" })).toEqual({ code: 0, stdout: "discard=0\n", stderr: "" });
    expect([tree(), calls()]).toEqual(before);
  });
});

describe("lio-remove.sh", () => {
  it("removes the target (ACLs, LUN, portal, TPG), its backstore and its record, each in the order configfs allows; again, it finds nothing and succeeds", () => {
    const record = join(dir, "r.json");
    run(LIO_APPLY, [IQN, "cbgate-vg-data", device, "0.0.0.0:3260", "S", record, A, B], `${RECORD_LINE}\n${A} u s\n${B} u s\n`);
    mkdirSync(join(configfs, "target", "iscsi", "iqn.2025-01.dev.cinderblock:volume-kept"));
    expect(run(LIO_REMOVE, [IQN, "cbgate-vg-data", record])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readdirSync(join(configfs, "target", "iscsi"))).toEqual(["iqn.2025-01.dev.cinderblock:volume-kept"]);
    expect(readdirSync(join(configfs, "target", "core", "iblock_203"))).toEqual([]);
    expect(existsSync(record)).toBe(false);
    expect(run(LIO_REMOVE, [IQN, "cbgate-vg-data", record]).code).toBe(0);
  });
});

const NQN = "nqn.2025-01.dev.cinderblock:volume-0f5d2c9e";
const H1 = "nqn.2014-08.org.nvmexpress:uuid:1";
const H2 = "nqn.2014-08.org.nvmexpress:uuid:2";
const KEY1 = "DHHC-1:00:key-one:";
const SUB = `nvmet/subsystems/${NQN}`;

describe("nvmet-apply.sh", () => {
  const keys = (): string => join(dir, "keys");
  const apply = (hosts: readonly string[], candidates: string, nqn = NQN, extra: NodeJS.ProcessEnv = {}): Run =>
    run(
      NVMET_APPLY,
      [nqn, device, "1", "0.0.0.0", "4420", "0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c", join(dir, "r.json"), keys(), ...hosts],
      `${RECORD_LINE}\n${candidates}`,
      extra,
    );

  it("on a host that never served one: loads nvmet, makes a closed subsystem over the device, allows the listed hosts, makes the TCP port and links it", () => {
    expect(apply([H1, H2], `${H1} ${KEY1}\n${H2} key2\n`)).toEqual({ code: 0, stdout: "discard=0\ndhchap=0\n", stderr: "" });
    expect(calls()).toContain("modprobe -a nvmet nvmet_tcp");
    expect(read(`${SUB}/attr_allow_any_host`)).toBe("0");
    expect([read(`${SUB}/namespaces/1/device_path`), read(`${SUB}/namespaces/1/device_uuid`), read(`${SUB}/namespaces/1/enable`)]).toEqual([
      device,
      "0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c",
      "1",
    ]);
    expect(readdirSync(join(configfs, SUB, "allowed_hosts")).map((host) => link(`${SUB}/allowed_hosts/${host}`))).toEqual([
      `nvmet/hosts/${H1}`,
      `nvmet/hosts/${H2}`,
    ]);
    expect(["addr_trtype", "addr_adrfam", "addr_traddr", "addr_trsvcid"].map((a) => read(`nvmet/ports/1/${a}`))).toEqual(["tcp", "ipv4", "0.0.0.0", "4420"]);
    expect(link(`nvmet/ports/1/subsystems/${NQN}`)).toBe(SUB);
    // Without CONFIG_NVME_TARGET_AUTH (no dhchap_key attribute) no key is kept.
    expect(readdirSync(keys())).toEqual([]);
  });

  it("where the kernel authenticates: stores a host's first key, keeps it across later runs, and writes it to the kernel", () => {
    const auth = { KERNEL_AUTH: "1" };
    expect(apply([H1], `${H1} ${KEY1}\n`, NQN, auth).stdout).toBe("discard=0\ndhchap=1\n");
    expect(apply([H1], `${H1} DHHC-1:00:another:\n`, NQN, auth).code).toBe(0);
    expect(readFileSync(join(keys(), H1), "utf8")).toBe(KEY1);
    expect(statSync(join(keys(), H1)).mode & 0o777).toBe(0o600);
    expect(read(`nvmet/hosts/${H1}/dhchap_key`)).toBe(KEY1);
  });

  it("a second subsystem shares the port that listens on the same address", () => {
    apply([H1], `${H1} k\n`);
    apply([H1], `${H1} k\n`, `${NQN}-2`);
    expect(readdirSync(join(configfs, "nvmet", "ports"))).toEqual(["1"]);
    expect(readdirSync(join(configfs, "nvmet", "ports", "1", "subsystems")).sort()).toEqual([NQN, `${NQN}-2`]);
  });

  it("revoking a host: unlinks it, drops its entry and key unless another subsystem allows it, and remakes the port link (nvmet drops the subsystem's controllers)", () => {
    const auth = { KERNEL_AUTH: "1" };
    apply([H1, H2], `${H1} ${KEY1}\n${H2} key2\n`, NQN, auth);
    apply([H2], `${H2} key2\n`, `${NQN}-2`, auth);
    // Inode numbers are reused at once after an unlink, so the link is marked by its text: the same subsystem spelled
    // with a trailing slash, which only a remade link loses.
    const portLink = join(configfs, "nvmet", "ports", "1", "subsystems", NQN);
    const marked = `${readlinkSync(portLink)}/`;
    rmSync(portLink);
    symlinkSync(marked, portLink);
    apply([H1, H2], `${H1} x\n${H2} x\n`, NQN, auth);
    expect(readlinkSync(portLink)).toBe(marked); // nothing revoked: controllers left alone

    expect(apply([], "", NQN, auth).code).toBe(0);
    expect(readdirSync(join(configfs, SUB, "allowed_hosts"))).toEqual([]);
    expect(readdirSync(join(configfs, "nvmet", "hosts"))).toEqual([H2]); // still allowed by the second subsystem
    expect(readdirSync(keys())).toEqual([H2]);
    expect(readlinkSync(portLink)).not.toBe(marked);
    expect(link(`nvmet/ports/1/subsystems/${NQN}`)).toBe(SUB);
  });

  it("exits 3 when the device is missing, leaving configfs untouched", () => {
    const done = run(
      NVMET_APPLY,
      [NQN, join(dir, "none"), "1", "0.0.0.0", "4420", "", join(dir, "r.json"), join(dir, "keys"), H1],
      `${RECORD_LINE}\n${H1} k\n`,
    );
    expect(done).toMatchObject({ code: 3, stderr: `device ${join(dir, "none")} does not exist (the volume's gate is not set up)\n` });
    expect(tree()).toEqual([]);
  });
});

describe("nvmet-probe.sh", () => {
  it("reports dhchap=1 only when the kernel holds a key for the host and its key is on record, and changes nothing", () => {
    const keys = join(dir, "keys");
    run(NVMET_APPLY, [NQN, device, "1", "0.0.0.0", "4420", "", join(dir, "r.json"), keys, H1], `${RECORD_LINE}\n${H1} ${KEY1}\n`, { KERNEL_AUTH: "1" });
    const before = [tree(), calls()];
    expect(run(NVMET_PROBE, [device, H1, keys]).stdout).toBe("discard=0\ndhchap=1\n");
    expect(run(NVMET_PROBE, [device, H2, keys]).stdout).toBe("discard=0\ndhchap=0\n");
    rmSync(join(keys, H1));
    expect(run(NVMET_PROBE, [device, H1, keys], "", { DISC_MAX: "512" }).stdout).toBe("discard=1\ndhchap=0\n");
    expect([tree(), calls()]).toEqual(before);
  });
});

describe("nvmet-remove.sh", () => {
  it("removes the subsystem (port link, allowed hosts, namespace), the host entries no other subsystem allows, and the record; again, it succeeds", () => {
    const keys = join(dir, "keys");
    const record = join(dir, "r.json");
    const auth = { KERNEL_AUTH: "1" };
    run(NVMET_APPLY, [NQN, device, "1", "0.0.0.0", "4420", "", record, keys, H1, H2], `${RECORD_LINE}\n${H1} k1\n${H2} k2\n`, auth);
    run(NVMET_APPLY, [`${NQN}-2`, device, "1", "0.0.0.0", "4420", "", join(dir, "r2.json"), keys, H2], `${RECORD_LINE}\n${H2} k2\n`, auth);
    expect(run(NVMET_REMOVE, [NQN, record, keys])).toEqual({ code: 0, stdout: "", stderr: "" });
    expect(readdirSync(join(configfs, "nvmet", "subsystems"))).toEqual([`${NQN}-2`]);
    expect(readdirSync(join(configfs, "nvmet", "ports", "1", "subsystems"))).toEqual([`${NQN}-2`]);
    expect(readdirSync(join(configfs, "nvmet", "hosts"))).toEqual([H2]);
    expect(readdirSync(keys)).toEqual([H2]);
    expect(existsSync(record)).toBe(false);
    expect(run(NVMET_REMOVE, [NQN, record, keys]).code).toBe(0);
  });
});
