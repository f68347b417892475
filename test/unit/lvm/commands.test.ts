import { InvalidConfiguration } from "../../../drivers/interface/errors";
import { devicesFileEntries, physicalVolumes, usesDevicesFile } from "../../../drivers/lvm/commands/devices";
import { lvremove } from "../../../drivers/lvm/commands/lvremove";
import { findLv, listLvs } from "../../../drivers/lvm/commands/lvs";
import { getVg } from "../../../drivers/lvm/commands/vgs";
import { LV_FIELDS, VG_FIELDS } from "../../../drivers/lvm/report";
import { fakeHost, type ScriptedReply } from "./fakeRunner";
import { capturedExitCode, capturedStderr, fixture, type CapturedFailure } from "./fixtures";

/** The reply the lab host gave for a failing command: its stdout, stderr and exit status. */
function capturedReply(name: CapturedFailure, stdoutFixture?: string): ScriptedReply {
  return { stdout: stdoutFixture ? fixture(stdoutFixture) : "", stderr: capturedStderr(name), exitCode: capturedExitCode(name) };
}

const REPORT = ["--reportformat", "json", "--units", "b", "--nosuffix", "-o"];

describe("listLvs and findLv", () => {
  it("list the VG's LVs with the fixed field list, hidden ones only when asked", async () => {
    const { host, runner } = fakeHost({ lvs: { stdout: fixture("lvs.json") } });
    expect(await listLvs(host)).toHaveLength(6);
    await listLvs(host, { all: true });
    expect(runner.calls).toEqual([
      ["lvs", ...REPORT, LV_FIELDS.join(","), "cinder-volumes"],
      ["lvs", ...REPORT, LV_FIELDS.join(","), "-a", "cinder-volumes"],
    ]);
  });

  it("find one LV by vg/lv", async () => {
    const { host, runner } = fakeHost({ lvs: { stdout: fixture("lvs-open.json") } });
    await expect(findLv(host, "fx-d810-thick")).resolves.toMatchObject({ name: "fx-d810-thick", attr: { open: true } });
    expect(runner.calls[0]?.at(-1)).toBe("cinder-volumes/fx-d810-thick");
  });

  it("find nothing when LVM answers with the captured not-found failure", async () => {
    const { host } = fakeHost({ lvs: capturedReply("lvs-notfound", "lvs-notfound.json") });
    await expect(findLv(host, "nope")).resolves.toBeUndefined();
  });

  it("rethrow a failure that is not LVM's not-found", async () => {
    const { host } = fakeHost({ lvs: { exitCode: 5, stderr: "  Reading VG cinder-volumes failed.\n" } });
    await expect(findLv(host, "nope")).rejects.toMatchObject({ code: "SSH_COMMAND", exitCode: 5 });
  });
});

describe("getVg", () => {
  it("reads the host's VG with the fixed field list", async () => {
    const { host, runner } = fakeHost({ vgs: { stdout: fixture("vgs.json") } });
    await expect(getVg(host)).resolves.toMatchObject({ name: "cinder-volumes", freeBytes: 4_160_749_568 });
    expect(runner.calls).toEqual([["vgs", ...REPORT, VG_FIELDS.join(","), "cinder-volumes"]]);
  });

  it("turns the captured missing-VG failure into InvalidConfiguration saying how to fix it", async () => {
    const { host } = fakeHost({ vgs: capturedReply("vgs-notfound", "vgs-notfound.json") });
    await expect(getVg(host)).rejects.toThrow(InvalidConfiguration);
    await expect(getVg(host)).rejects.toThrow(/vgcreate cinder-volumes/);
  });
});

describe("lvremove", () => {
  it("succeeds at once when LVM says the LV is already gone", async () => {
    const { host, runner } = fakeHost({ lvremove: capturedReply("lvremove-notfound") });
    await expect(lvremove(host, "nope")).resolves.toBeUndefined();
    expect(runner.calls).toEqual([["lvremove", "--yes", "--quiet", "-f", "--config", "activation { retry_deactivation = 1 }", "cinder-volumes/nope"]]);
  });
});

describe("the devices file", () => {
  it("is in use when lvmconfig prints use_devicesfile=1", async () => {
    const { host, runner } = fakeHost({ lvmconfig: { stdout: fixture("use-devicesfile.txt") } });
    await expect(usesDevicesFile(host)).resolves.toBe(true);
    expect(runner.calls).toEqual([["lvmconfig", "--type", "current", "devices/use_devicesfile"]]);
  });

  it("is not in use when lvmconfig prints use_devicesfile=0", async () => {
    const { host } = fakeHost({ lvmconfig: { stdout: "use_devicesfile=0\n" } });
    await expect(usesDevicesFile(host)).resolves.toBe(false);
  });

  it("lists the device names of the captured lvmdevices output", async () => {
    const { host, runner } = fakeHost({ lvm: { stdout: fixture("lvmdevices.txt") } });
    await expect(devicesFileEntries(host)).resolves.toEqual(["/dev/vdb"]);
    expect(runner.calls).toEqual([["lvm", "lvmdevices"]]);
  });

  it("pairs each PV of the captured pvs report with its VG", async () => {
    const { host } = fakeHost({ pvs: { stdout: fixture("pvs.json") } });
    await expect(physicalVolumes(host)).resolves.toEqual([{ pv: "/dev/vdb", vg: "cinder-volumes" }]);
  });
});
