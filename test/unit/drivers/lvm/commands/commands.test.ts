import { InvalidConfiguration } from "../../../../../drivers/interface/errors";
import { parseDevicesFileEntries, parsePhysicalVolumes, parseUsesDevicesFile } from "../../../../../drivers/lvm/commands/devices";
import { lvremove } from "../../../../../drivers/lvm/commands/lvremove";
import { findLv, listLvs } from "../../../../../drivers/lvm/commands/lvs";
import { getVg } from "../../../../../drivers/lvm/commands/vgs";
import { fullreportArgv } from "../../../../../drivers/lvm/commands/fullreport";
import { LV_FIELDS, VG_FIELDS } from "../../../../../drivers/lvm/model/report";
import { fakeHost, type ScriptedReply } from "../../../../fakes/fakeRunner";
import { capturedExitCode, capturedStderr, fixture, type CapturedFailure } from "../../../../fakes/lvmFixtures";

/** The reply the lab host gave for a failing command: its stdout, stderr and exit status. */
function capturedReply(name: CapturedFailure, stdoutFixture?: string): ScriptedReply {
  return { stdout: stdoutFixture ? fixture(stdoutFixture) : "", stderr: capturedStderr(name), exitCode: capturedExitCode(name) };
}

/** The host report as the lab host answered it: `lvm fullreport` and `dmsetup table`. */
const REPORT_REPLIES = {
  lvm: { stdout: fixture("fullreport.json") },
  dmsetup: { stdout: fixture("fullreport-dmsetup-table.txt") },
};

describe("listLvs and findLv", () => {
  it("list the VG's LVs from one fullreport with the fixed field lists, hidden ones only when asked", async () => {
    const { host, runner } = fakeHost(REPORT_REPLIES);
    expect((await listLvs(host)).map((lv) => lv.name)).toEqual([
      "cinder-volumes-pool",
      "fx-d810-inactive",
      "fx-d810-thick",
      "fx-d810-thin",
      "fx-d810-thinsnap",
      "fx-d810-tsnap",
    ]);
    expect(await listLvs(host, { all: true })).toHaveLength(9);
    const fullreport = runner.calls.find((call) => call[0] === "lvm");
    expect(fullreport).toEqual(fullreportArgv("cinder-volumes"));
    expect(fullreport).toEqual(expect.arrayContaining(["-a", VG_FIELDS.join(","), LV_FIELDS.join(","), "cinder-volumes"]));
    expect(runner.calls).toContainEqual(["dmsetup", "table"]);
  });

  it("find one LV by name, with its tags and state", async () => {
    const { host } = fakeHost(REPORT_REPLIES);
    await expect(findLv(host, "fx-d810-thin")).resolves.toMatchObject({
      name: "fx-d810-thin",
      pool: "cinder-volumes-pool",
      tags: expect.arrayContaining(["cb.kind=volume", "cb.uuid=0d5c6a4e-fxd810"]),
      device: { major: 253, minor: 4 },
    });
    await expect(findLv(host, "fx-d810-inactive")).resolves.toMatchObject({ device: undefined });
  });

  it("find nothing for a name the VG does not hold, hidden LVs included", async () => {
    const { host } = fakeHost(REPORT_REPLIES);
    await expect(findLv(host, "nope")).resolves.toBeUndefined();
    await expect(findLv(host, "[cinder-volumes-pool_tdata]")).resolves.toBeUndefined();
  });

  it("rethrow a failure that is not LVM's not-found", async () => {
    const { host } = fakeHost({ ...REPORT_REPLIES, lvm: { exitCode: 5, stderr: "  Reading VG cinder-volumes failed.\n" } });
    await expect(findLv(host, "nope")).rejects.toMatchObject({ code: "SSH_COMMAND", exitCode: 5 });
  });
});

describe("getVg", () => {
  it("reads the host's VG from the same report", async () => {
    const { host } = fakeHost(REPORT_REPLIES);
    await expect(getVg(host)).resolves.toMatchObject({ name: "cinder-volumes", freeBytes: 25_597_837_312, lvCount: 6 });
  });

  it("turns the captured missing-VG failure into InvalidConfiguration saying how to fix it", async () => {
    const { host } = fakeHost({ ...REPORT_REPLIES, lvm: capturedReply("vgs-notfound", "vgs-notfound.json") });
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
  it("is in use when lvmconfig prints use_devicesfile=1", () => {
    expect(parseUsesDevicesFile(fixture("use-devicesfile.txt"))).toBe(true);
  });

  it("is not in use when lvmconfig prints use_devicesfile=0", () => {
    expect(parseUsesDevicesFile("use_devicesfile=0\n")).toBe(false);
  });

  it("lists the device names of the captured lvmdevices output", () => {
    expect(parseDevicesFileEntries(fixture("lvmdevices.txt"))).toEqual(["/dev/vdb"]);
  });

  it("pairs each PV of the captured pvs report with its VG", () => {
    expect(parsePhysicalVolumes(fixture("pvs.json"))).toEqual([{ pv: "/dev/vdb", vg: "cinder-volumes" }]);
  });
});
