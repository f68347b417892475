import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import "../../../../drivers/builtin";
import { lvmBackendSchema } from "../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../drivers/lvm/driver";
import { silentLogger } from "../../../../drivers/log";
import type { CommandResult, RunOptions } from "../../../../drivers/ssh/exec";
import { HOST_SCRIPT_DIR, hostInstallScript, PRIVILEGED_PROGRAMS, privilegedArgv, registeredScripts, sudoersFile } from "../../../../drivers/ssh/privilege";
import { FakeLvmHost } from "../../../fakes/lvmHost";

const DRIVERS = join(__dirname, "..", "..", "..", "..", "drivers");

function sources(dir: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => ({ path: join(entry.parentPath, entry.name), text: readFileSync(join(entry.parentPath, entry.name), "utf8") }));
}

describe("what a sudo host runs as root", () => {
  it("is every command of a driver scenario on the in-memory host: each has its sudoers entry", async () => {
    // The fake answers what the driver sends; privilegedArgv throws for a command no table lists.
    class CheckedHost extends FakeLvmHost {
      readonly unlisted: string[] = [];
      override async run(argv: readonly string[], options?: RunOptions): Promise<CommandResult> {
        try {
          privilegedArgv(argv);
        } catch (error) {
          this.unlisted.push(`${argv[0]} ${argv[0] === "sh" || argv[0] === "bash" ? argv[3] : ""}: ${(error as Error).message}`);
        }
        return super.run(argv, options);
      }
    }
    const host = new CheckedHost();
    const config = lvmBackendSchema.parse({
      driver: "lvm",
      lvmType: "thin",
      hosts: [{ name: "fake-1", address: "192.0.2.1", privateKey: "unused", hostKey: "SHA256:unused" }],
    });
    const driver = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    const thin = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, host: "fake-1" });
    const thick = await driver.createVolume({ uuid: randomUUID(), name: "v2", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    const snapshot = await driver.createSnapshot({ uuid: randomUUID(), volumeId: thin.id });
    const clone = await driver.createVolumeFromSnapshot({ uuid: randomUUID(), sizeGib: 2 }, snapshot.id);
    await driver.extendVolume(thick.id, 2);
    await driver.deleteSnapshot(snapshot.id);
    for (const volume of [clone, thin, thick]) await driver.deleteVolume(volume.id);
    expect(host.calls.length).toBeGreaterThan(10);
    expect(host.unlisted).toEqual([]);
  });

  it("names every host script the drivers define: each is a script file, none is run as literal shell text", () => {
    const literalScripts = sources(DRIVERS).flatMap(({ path, text }) =>
      [...text.matchAll(/\[\s*"(?:sh|bash)",\s*"-c",\s*(["'`])/g)].map((match) => `${path}: ${text.slice(match.index, match.index + 60)}`),
    );
    expect(literalScripts).toEqual([]);
    // Every host script is a file in a drivers/**/scripts/ folder, declared under its own name;
    // only the preludes (functions put in front of other scripts) are never run alone.
    const preludes = ["eval-guard", "target-lib"];
    const files = readdirSync(DRIVERS, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith(".sh") && entry.parentPath.endsWith("/scripts"))
      .map((entry) => entry.name.slice(0, -".sh".length))
      .filter((name) => !preludes.includes(name));
    expect(
      registeredScripts()
        .map((script) => script.name)
        .sort(),
    ).toEqual(files.sort());
    const declaredElsewhere = sources(DRIVERS).filter(
      ({ path, text }) => text.includes("declareHostScript(") && !/(ssh\/privilege|ssh\/scriptFiles|lvm\/core\/hostScripts)\.ts$/.test(path),
    );
    expect(declaredElsewhere.map(({ path }) => path)).toEqual([]);
  });

  it("lists, in the sudoers file, exactly the programs and the installed scripts, without a password", () => {
    const file = sudoersFile("cbop");
    const listed = [...file.matchAll(/^ {4}(\S+?)(?:, \\)?$/gm)].map((match) => match[1]);
    expect(listed.sort()).toEqual([...new Set(Object.values(PRIVILEGED_PROGRAMS)), ...registeredScripts().map((script) => script.path)].sort());
    expect(file).toMatch(/^cbop ALL=\(root\) NOPASSWD: CINDERBLOCK_PROGRAMS, CINDERBLOCK_SCRIPTS$/m);
    // No shell, interpreter or command runner is granted.
    for (const path of listed) expect(path).not.toMatch(/\/(sh|bash|perl|python3?|env|flock|timeout|sudo|su|tee|install)$/);
    expect(registeredScripts().every((script) => script.path.startsWith(`${HOST_SCRIPT_DIR}/`))).toBe(true);
  });

  it("installs each script with its interpreter and the sudoers file only after visudo accepts it", () => {
    const install = hostInstallScript("cb.op");
    for (const script of registeredScripts()) expect(install).toContain(`cat > '${script.path}.tmp' <<'`);
    expect(install).toContain("visudo -cq -f '/etc/sudoers.d/cinderblock-cb_op.tmp' && mv -f");
  });

  it("runs a command by absolute path and a script by its installed path, with the script's arguments", () => {
    expect(privilegedArgv(["lvs", "-o", "lv_name"])).toEqual(["sudo", "-n", "--", "/usr/sbin/lvs", "-o", "lv_name"]);
    const script = registeredScripts().find((candidate) => candidate.name === "lv-write");
    expect(privilegedArgv(["sh", "-c", script!.text, "lv-write.sh", "a", "b"])).toEqual(["sudo", "-n", "--", script!.path, "a", "b"]);
    expect(() => privilegedArgv(["bash", "-c", script!.text, "x"])).toThrow(/unregistered bash script/);
  });
});
