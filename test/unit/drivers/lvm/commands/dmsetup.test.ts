import { listTables, removeDevice, snapshotCowUsedBytes } from "../../../../../drivers/lvm/commands/dmsetup";
import { parseLinearTable, type LinearTable } from "../../../../../drivers/lvm/commands/dmsetupTable";
import { GATE_PREFIX } from "../../../../../drivers/lvm/model/names";
import { gateName } from "../../../../../drivers/lvm/model/names";
import { fakeHost } from "../../../../fakes/fakeRunner";
import { capturedLvs, fixture, lvNamed } from "../../../../fakes/lvmFixtures";

const TABLE = fixture("dmsetup-table.txt");

describe("parseLinearTable", () => {
  it.each<[string, LinearTable]>([
    ["0 131072 linear 253:4 0", { sectors: 131072, major: 253, minor: 4 }],
    ["0 1 linear 0:0 0", { sectors: 1, major: 0, minor: 0 }],
    ["0 137438953472 linear 259:1048575 0", { sectors: 137438953472, major: 259, minor: 1048575 }],
  ])("reads the whole-device table %p", (line, table) => {
    expect(parseLinearTable(line)).toEqual(table);
  });

  it("parses exactly the whole-device linear tables among the captured ones", () => {
    const lines = TABLE.split("\n").filter((line) => line.includes(": "));
    expect(lines).toHaveLength(10);
    const linear = lines.flatMap((line) => {
      const table = parseLinearTable(line.slice(line.indexOf(": ") + 2));
      return table ? [[line.slice(0, line.indexOf(": ")), table]] : [];
    });
    expect(Object.fromEntries(linear)).toEqual({
      "cbgate-cinder--volumes-fx--d810--thin": { sectors: 131072, major: 253, minor: 4 },
      "cinder--volumes-cinder--volumes--pool": { sectors: 33480704, major: 253, minor: 2 },
    });
  });

  it("parses a captured line with surrounding whitespace", () => {
    expect(parseLinearTable("  0 33480704 linear 253:2 0 \n")).toEqual({ sectors: 33480704, major: 253, minor: 2 });
  });
});

/** The host report's two commands: the LVM half answers with an empty VG, the tables come from `dmsetup`. */
const report = (dmsetup: string) => fakeHost({ lvm: { stdout: '{"report":[]}' }, dmsetup: { stdout: dmsetup } });

describe("listTables", () => {
  it("returns the captured gate's table, keyed by its name, from one dmsetup table", async () => {
    const { host, runner } = report(TABLE);
    const tables = await listTables(host, GATE_PREFIX);
    expect(runner.calls.filter((call) => call[0] === "dmsetup")).toEqual([["dmsetup", "table"]]);
    expect([...tables]).toEqual([["cbgate-cinder--volumes-fx--d810--thin", "0 131072 linear 253:4 0"]]);
  });

  it("finds the gate the driver would name for the captured LV, mapping exactly that LV", async () => {
    const { host } = report(TABLE);
    const thin = lvNamed(capturedLvs(), "fx-d810-thin");
    const name = gateName("cinder-volumes", thin.name);
    const table = (await listTables(host, name)).get(name);
    expect(parseLinearTable(table ?? "")).toEqual({ sectors: thin.sizeBytes / 512, major: thin.device?.major, minor: thin.device?.minor });
  });

  it("keeps every table whose device name starts with the prefix, trailing spaces included", async () => {
    const { host } = report(TABLE);
    const tables = await listTables(host, "cinder--volumes-cinder--volumes--pool");
    expect(tables.size).toBe(4);
    expect(tables.get("cinder--volumes-cinder--volumes--pool-tpool")).toBe("0 33480704 thin-pool 253:0 253:1 128 0 0 ");
  });

  it("returns an empty map when dmsetup has no devices", async () => {
    const { host } = report("No devices found\n");
    expect((await listTables(host, GATE_PREFIX)).size).toBe(0);
  });
});

describe("removeDevice", () => {
  it.each([
    ["removed", { exitCode: 0 }],
    ["absent", { exitCode: 1, stderr: "device-mapper: remove ioctl on cbgate-x failed: No such device or address\nCommand failed.\n" }],
    ["busy", { exitCode: 1, stderr: "device-mapper: remove ioctl on cbgate-x failed: Device or resource busy\nCommand failed.\n" }],
  ])("reports %p", async (result, reply) => {
    const { host, runner } = fakeHost({ dmsetup: reply });
    await expect(removeDevice(host, "cbgate-x")).resolves.toBe(result);
    expect(runner.calls).toEqual([["dmsetup", "remove", "cbgate-x"]]);
  });

  it("throws any other failure", async () => {
    const { host } = fakeHost({ dmsetup: { exitCode: 1, stderr: "Permission denied\n" } });
    await expect(removeDevice(host, "cbgate-x")).rejects.toMatchObject({ code: "SSH_COMMAND", exitCode: 1 });
  });
});

describe("snapshotCowUsedBytes", () => {
  it.each<[string, number | undefined]>([
    ["0 2097152 snapshot 16/2097152 16\n", 16 * 512],
    ["0 2097152 snapshot 409616/2097152 816\n", 409616 * 512],
    ["0 2097152 snapshot Invalid\n", undefined],
    ["0 2097152 snapshot Overflow\n", undefined],
    ["0 2097152 linear\n", undefined],
  ])("reads %p as %p bytes filled", async (stdout, bytes) => {
    const { host, runner } = fakeHost({ dmsetup: { exitCode: 0, stdout } });
    await expect(snapshotCowUsedBytes(host, "vg-snap")).resolves.toBe(bytes);
    expect(runner.calls).toEqual([["dmsetup", "status", "vg-snap"]]);
  });

  it("says nothing for a device that is not there", async () => {
    const { host } = fakeHost({ dmsetup: { exitCode: 1, stderr: "Device does not exist.\nCommand failed.\n" } });
    await expect(snapshotCowUsedBytes(host, "vg-snap")).resolves.toBeUndefined();
  });
});
