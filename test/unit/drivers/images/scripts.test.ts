/**
 * The small host scripts of images, exports and locks, run as the host runs them (sh, their
 * values as positional arguments) against files in a temporary directory: each exit code and
 * what each leaves behind.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DRIVERS = join(__dirname, "..", "..", "..", "..", "drivers");
const script = (folder: string, name: string): string => join(DRIVERS, folder, "scripts", `${name}.sh`);

function run(path: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync("sh", [path, ...args], { encoding: "utf8" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cb-scripts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("image-check-target", () => {
  const check = (path: string) => run(script("images", "image-check-target"), path);
  it("accepts a free path in an existing directory", () => expect(check(join(dir, "out.qcow2"))).toMatchObject({ code: 0 }));
  it("exits 20 when the directory is missing, 17 when the target exists (a dangling link too)", () => {
    expect(check(join(dir, "nope", "out.qcow2"))).toMatchObject({ code: 20, stderr: expect.stringContaining("does not exist") });
    writeFileSync(join(dir, "out.qcow2"), "x");
    expect(check(join(dir, "out.qcow2"))).toMatchObject({ code: 17 });
    spawnSync("ln", ["-s", join(dir, "gone"), join(dir, "link")]);
    expect(check(join(dir, "link"))).toMatchObject({ code: 17 });
  });
});

describe("image-publish", () => {
  it("moves the partial file to the target, and never overwrites an existing one", () => {
    const partial = join(dir, "out.partial");
    writeFileSync(partial, "new");
    writeFileSync(join(dir, "taken"), "old");
    expect(run(script("images", "image-publish"), partial, join(dir, "taken")).code).not.toBe(0);
    expect(readFileSync(join(dir, "taken"), "utf8")).toBe("old");
    expect(run(script("images", "image-publish"), partial, join(dir, "out")).code).toBe(0);
    expect(readFileSync(join(dir, "out"), "utf8")).toBe("new");
    expect(existsSync(partial)).toBe(false);
  });
});

describe("image-remove-if-unchanged and sha256", () => {
  it("hashes as node does, and removes a file only while its checksum still matches", () => {
    const file = join(dir, "img");
    writeFileSync(file, "bytes of an image");
    const sum = createHash("sha256").update("bytes of an image").digest("hex");
    expect(run(script("images", "sha256"), file).stdout.split(" ")[0]).toBe(sum);
    const remove = () => run(script("images", "image-remove-if-unchanged"), file, sum);
    writeFileSync(file, "changed since");
    expect(remove()).toMatchObject({ code: 0, stdout: "changed\n" });
    expect(existsSync(file)).toBe(true);
    writeFileSync(file, "bytes of an image");
    expect(remove()).toMatchObject({ code: 0, stdout: "removed\n" });
    expect(existsSync(file)).toBe(false);
    expect(remove()).toMatchObject({ code: 0, stdout: "absent\n" });
  });
});

describe("image-prepare", () => {
  it("makes a private staging directory, removes only stale staged files, and prints the new file and the room left", () => {
    const staging = join(dir, "staging");
    mkdirSync(staging);
    const stale = join(staging, "cb-stage-old");
    const fresh = join(staging, "cb-stage-new");
    const other = join(staging, "not-ours");
    for (const path of [stale, fresh, other]) writeFileSync(path, "");
    const old = Date.now() / 1000 - 3 * 3600;
    utimesSync(stale, old, old);
    utimesSync(other, old, old);
    const { code, stdout } = run(script("images", "image-prepare"), staging, "60");
    expect(code).toBe(0);
    const [made, room] = stdout.trim().split("\n");
    expect(made).toMatch(new RegExp(`^${staging}/cb-stage-\\w{10}$`));
    expect(existsSync(made as string)).toBe(true);
    expect(Number(room)).toBeGreaterThan(0);
    expect([existsSync(stale), existsSync(fresh), existsSync(other)]).toEqual([false, true, true]);
    const fresh2 = join(dir, "fresh-dir");
    expect(run(script("images", "image-prepare"), fresh2, "60").code).toBe(0);
    expect(statSync(fresh2).mode & 0o777).toBe(0o700);
  });
});

describe("image-stage (path mode)", () => {
  const stage = (...args: string[]) => run(script("images", "image-stage"), ...args);
  it("copies a host file and ends with its size", () => {
    writeFileSync(join(dir, "src"), "x".repeat(1000));
    const result = stage("path", join(dir, "src"), join(dir, "dest"), "4096");
    expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/size 1000\n$/) });
    expect(readFileSync(join(dir, "dest"), "utf8")).toBe("x".repeat(1000));
  });
  it("exits 63 for a file over the limit and 66 for what is not a regular file, copying nothing; 64 for an unknown mode", () => {
    writeFileSync(join(dir, "src"), "x".repeat(1000));
    expect(stage("path", join(dir, "src"), join(dir, "dest"), "999")).toMatchObject({ code: 63 });
    expect(stage("path", dir, join(dir, "dest"), "4096")).toMatchObject({ code: 66 });
    expect(existsSync(join(dir, "dest"))).toBe(false);
    expect(stage("ftp", "x", join(dir, "dest"), "1")).toMatchObject({ code: 64 });
  });
});

describe("image-pin", () => {
  /** Runs the script with `stat` answering `owner mode size` for the file, and `env` as its environment. */
  const pin = (path: string, statSays?: string, env: Record<string, string> = {}) => {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    if (statSays) writeFileSync(join(bin, "stat"), `#!/bin/sh\necho '${statSays}'\n`, { mode: 0o755 });
    const path_ = statSays ? `${bin}:${process.env.PATH ?? ""}` : (process.env.PATH ?? "");
    const result = spawnSync("sh", [script("images", "image-pin"), path], { encoding: "utf8", input: "", env: { PATH: path_, ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const me = String(process.getuid?.() ?? 0);

  it("holds a file only its owner, this user, can write, until stdin ends: /proc/PID/fd/3 reads it even once its path names another file", async () => {
    const file = join(dir, "img");
    writeFileSync(file, "x".repeat(300), { mode: 0o644 });
    const holder = spawn("sh", [script("images", "image-pin"), file], { stdio: ["pipe", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve) => holder.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString())));
    const [, pid, size] = /^pinned (\d+) (\d+)\n$/.exec(line) ?? [];
    expect(size).toBe("300");
    renameSync(file, join(dir, "moved"));
    writeFileSync(file, "swapped");
    expect(readFileSync(`/proc/${pid}/fd/3`, "utf8")).toBe("x".repeat(300));
    const ended = new Promise((resolve) => holder.on("exit", resolve));
    holder.stdin.end();
    expect(await ended).toBe(0);
    expect(pin(file, `${me} 600 300`).stdout).toMatch(/^pinned \d+ 300\n$/);
    expect(pin(file, "0 644 300").stdout).toMatch(/^pinned /);
  });
  it("does not hold a file others could change: writable by group or others, or owned by another user (unless sudo runs it for that user)", () => {
    const file = join(dir, "img");
    writeFileSync(file, "x");
    expect(pin(file, `${me} 664 1`).stdout).toBe("unpinned writable by other users (mode 664)\n");
    expect(pin(file, `${me} 4646 1`).stdout).toBe("unpinned writable by other users (mode 4646)\n");
    const other = me === "4321" ? "4322" : "4321";
    expect(pin(file, `${other} 644 1`).stdout).toBe(`unpinned owned by another user (uid ${other})\n`);
    expect(pin(file, `${other} 644 1`, { SUDO_UID: other }).stdout).toMatch(/^pinned /);
  });
  it("exits 66 for what is not a regular file", () => {
    expect(pin(dir)).toMatchObject({ code: 66, stdout: "", stderr: expect.stringContaining("not a regular file") });
    expect(pin(join(dir, "absent"))).toMatchObject({ code: 66, stdout: "" });
  });
});

describe("export-record-read", () => {
  const read = (path: string) => run(script("targets", "export-record-read"), path);
  it("prints a record, prints nothing for a missing one, and fails on one it cannot read", () => {
    writeFileSync(join(dir, "r.json"), "{}\n");
    expect(read(join(dir, "r.json"))).toMatchObject({ code: 0, stdout: "{}\n" });
    expect(read(join(dir, "none.json"))).toMatchObject({ code: 0, stdout: "" });
    mkdirSync(join(dir, "d.json"));
    expect(read(join(dir, "d.json")).code).not.toBe(0);
  });
});

describe("lock-hold", () => {
  it("refuses any file but cinderblock's own lock files, before taking anything", () => {
    for (const path of ["/etc/passwd", "/run/lock/other.lock", "/run/lock/cinderblock-x/../../etc/shadow.lock", join(dir, "cinderblock-a.lock")]) {
      expect(run(script("lvm", "lock-hold"), "0", path)).toMatchObject({ code: 2, stderr: expect.stringContaining("not a cinderblock lock file") });
    }
  });
});
