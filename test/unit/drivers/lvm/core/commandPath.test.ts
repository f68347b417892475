import { randomUUID } from "node:crypto";
import { lvmBackendSchema } from "../../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../../drivers/lvm/driver";
import { INCOMPLETE_TAG } from "../../../../../drivers/lvm/model/model";
import { silentLogger } from "../../../../../drivers/log";
import { FakeLvmHost } from "../../../../fakes/lvmHost";

/**
 * What each driver operation sends to a host, on the in-memory LVM host: one shared report
 * (fullreport and dmsetup table, side by side) and one write step. Lab tests prove the same
 * operations on real LVM; these pin down the command path itself.
 */
const config = lvmBackendSchema.parse({
  driver: "lvm",
  lvmType: "thin",
  hosts: [{ name: "fake-1", address: "192.0.2.1", privateKey: "unused", hostKey: "SHA256:unused" }],
});

const GIB = 1024 ** 3;

async function warmDriver(): Promise<{ host: FakeLvmHost; driver: LvmDriver }> {
  const host = new FakeLvmHost();
  const driver = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
  await driver.checkForSetupError();
  host.calls.length = 0;
  return { host, driver };
}

const REPORT = ["dmsetup", "lvm fullreport"];
const sorted = (calls: readonly string[]): string[] => [...calls].sort();

describe("the LVM driver's command path", () => {
  it("sets a host up once, in one round trip: the setup checks beside the report every operation then shares", async () => {
    const host = new FakeLvmHost();
    const driver = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    await Promise.all([driver.checkForSetupError(), driver.listVolumes(), driver.listSnapshots()]);
    expect(sorted(host.calls)).toEqual(["cinderblock-gsnap-recover", "dmsetup", "host-setup.sh", "lvm fullreport"]);
  });

  it("restores the exports setup found unserved, after the rest of the setup, and never fails the setup for them", async () => {
    const host = new FakeLvmHost();
    host.unservedExports = ["/etc/cinderblock/exports/cinder-volumes/v9.json", "/etc/other-vg/v1.json"];
    const warnings: string[] = [];
    const driver = new LvmDriver("b", config, { logger: { ...silentLogger, warn: (line: string) => void warnings.push(line) }, ssh: host.runners() });
    await driver.checkForSetupError();
    // Restoring takes the host's target lock, then reads the record (which the fake host cannot): the setup still succeeds, and says what to do.
    expect(host.calls.slice(-2)).toEqual(["lock-hold", "sh"]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^fake-1: could not restore the export recorded in \/etc\/cinderblock\/exports\/cinder-volumes\/v9\.json \(.*\); fix the cause, then run `cinderblock attach restore`$/,
      ),
    ]);
  });

  it("places a scheduled create again when LVM finds the host's space taken meanwhile, but never moves a create pinned to a host", async () => {
    const { host, driver } = await warmDriver();
    host.writesOutOfSpace = 1;
    const placed = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thick" });
    expect(placed.host).toBe("fake-1");
    expect(host.calls.filter((call) => call === "lv-write.sh")).toHaveLength(2);
    host.writesOutOfSpace = 1;
    const pinned = driver.createVolume({ uuid: randomUUID(), name: "v2", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    await expect(pinned).rejects.toMatchObject({ code: "VolumeSizeExceedsAvailableQuota" });
  });

  it("reads the report again at setup when the window recovery changed the host", async () => {
    const host = new FakeLvmHost();
    host.recoverOutput = "resumed=cbgate-cinder--volumes-v1\n";
    const driver = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    await driver.listVolumes();
    expect(host.calls.filter((call) => call === "lvm fullreport")).toHaveLength(2);
  });

  it("reads a host it has not set up without writing to it (no thin pool, gate or recovery); the first write sets it up", async () => {
    const host = new FakeLvmHost();
    const unpooled = lvmBackendSchema.parse({ ...config, thinPool: "new-pool" });
    const driver = new LvmDriver("b", unpooled, { logger: silentLogger, ssh: host.runners() });
    await driver.listVolumes();
    expect(await driver.findVolume("b/fake-1/cinder-volumes/absent")).toBeUndefined();
    await driver.getManageableVolumes();
    const reads = new Set(["lvm fullreport", "dmsetup", "host-setup.sh"]);
    expect(host.calls.filter((call) => !reads.has(call))).toEqual([]);
    expect([...host.lvs.keys()]).not.toContain("new-pool");
    await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    expect(host.calls).toEqual(expect.arrayContaining(["cinderblock-gsnap-recover", "lvcreate"]));
    expect([...host.lvs.keys()]).toEqual(expect.arrayContaining(["new-pool", "v1"]));
  });

  it("creates a volume with one report, one write step (a thin one with its over-subscription check) and the LV's row read back", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    expect(host.calls.slice(2)).toEqual(["thin-create.sh", "lvs"]);
    expect(sorted(host.calls.slice(0, 2))).toEqual(REPORT);
    expect(volume).toMatchObject({ name: "v1", sizeBytes: GIB, provisioning: "thin", devicePath: "/dev/mapper/cbgate-cinder--volumes-v1" });
    expect(host.gates.get("cbgate-cinder--volumes-v1")).toBe(`0 ${GIB / 512} linear 253:10 0`);
  });

  it("extends, snapshots and deletes with one report and one write step each (and the row of what was written)", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    let snapshotId = "";
    const steps = [
      () => driver.extendVolume(volume.id, 2),
      async () => {
        snapshotId = (await driver.createSnapshot({ uuid: randomUUID(), name: "s1", volumeId: volume.id })).id;
      },
      () => driver.deleteSnapshot(snapshotId),
      () => driver.deleteVolume(volume.id),
    ];
    const writes: string[][] = [];
    for (const step of steps) {
      host.calls.length = 0;
      await step();
      expect(sorted(host.calls.slice(0, 2))).toEqual(REPORT);
      writes.push(host.calls.slice(2));
    }
    // A thin volume's extend is checked against the pool's ratio on the host, in its one write step.
    expect(writes).toEqual([["thin-create.sh", "lvs"], ["lvcreate", "lvs"], ["lvremove"], ["volume-remove.sh"]]);
    expect(host.lvs.has("v1")).toBe(false);
    expect(host.gates.size).toBe(0);
  });

  it("makes a thin clone, and a larger volume from a thin snapshot, in one write step each (under the create lock, taken before the report)", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    const snapshot = await driver.createSnapshot({ uuid: randomUUID(), name: "s1", volumeId: volume.id });
    host.calls.length = 0;
    const clone = await driver.createClonedVolume({ uuid: randomUUID(), name: "c1", sizeGib: 1 }, volume.id);
    expect(host.calls[0]).toBe("lock-hold");
    expect(sorted(host.calls.slice(1, 3))).toEqual(REPORT);
    expect(host.calls.slice(3)).toEqual(["thin-create.sh", "lvs"]);
    host.calls.length = 0;
    const larger = await driver.createVolumeFromSnapshot({ uuid: randomUUID(), name: "c2", sizeGib: 3 }, snapshot.id);
    expect(host.calls.slice(3)).toEqual(["thin-create.sh", "lvs"]);
    expect([clone.sizeBytes, larger.sizeBytes]).toEqual([GIB, 3 * GIB]);
    // Grown and then marked complete inside that one step.
    expect(host.lvs.get("c2")?.tags).not.toContain(INCOMPLETE_TAG);
    expect(host.gates.get("cbgate-cinder--volumes-c2")).toBe(`0 ${(3 * GIB) / 512} linear 253:${host.lvs.get("c2")?.minor} 0`);
  });

  it("makes a thick clone on one report: the temporary snapshot, then the new LV and the copy, the snapshot read alone and removed, then the finish", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    host.calls.length = 0;
    const creates: string[][] = [];
    const run = host.run.bind(host);
    jest.spyOn(host, "run").mockImplementation((argv, options) => {
      if (argv[0] === "lvcreate") creates.push([...argv]);
      return run(argv, options);
    });
    const clone = await driver.createClonedVolume({ uuid: randomUUID(), name: "c1", sizeGib: 1, provisioning: "thick" }, volume.id);
    expect(host.calls[0]).toBe("lock-hold");
    expect(sorted(host.calls.slice(1, 3))).toEqual(REPORT);
    expect(host.calls.slice(3)).toEqual(["lvcreate", "lvcreate", "dd", "lvs", "lvremove", "lv-write.sh", "lvs"]);
    // The snapshot first, so that its leftover check is answered by the report the create read.
    expect(creates.map((argv) => argv.includes("-s"))).toEqual([true, false]);
    expect([...host.lvs.keys()].filter((name) => name.startsWith("cbtmp-"))).toEqual([]);
    expect(clone).toMatchObject({ name: "c1", provisioning: "thick", sizeBytes: GIB });
  });

  it("refuses a thick clone before anything is made when the volume group holds the clone but not also the temporary snapshot its copy reads", async () => {
    const { host, driver } = await warmDriver();
    // 20 GiB free beside the thin pool: 8 for the source, then 12 left, less than the clone's 8 and its snapshot's 8.
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 8, provisioning: "thick", host: "fake-1" });
    host.calls.length = 0;
    await expect(driver.createClonedVolume({ uuid: randomUUID(), name: "c1", sizeGib: 8, provisioning: "thick" }, volume.id)).rejects.toThrow(
      /16\.00 GiB \(with 8\.00 GiB for the temporary snapshot the copy reads\) does not fit on fake-1: volume group cinder-volumes has 12\.00 GiB free/,
    );
    expect(host.calls).not.toContain("lvcreate");
    expect([...host.lvs.keys()].filter((name) => name !== "v1" && !name.endsWith("-pool"))).toEqual([]);
  });

  it("refuses a name whose gate would not fit before sending anything, for a volume, a clone and a snapshot", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    const dashy = `a${"-".repeat(52)}b`;
    host.calls.length = 0;
    await expect(driver.createVolume({ uuid: randomUUID(), name: dashy, sizeGib: 1 })).rejects.toThrow(/too long for its device names/);
    expect(host.calls).toEqual([]);
    await expect(driver.createClonedVolume({ uuid: randomUUID(), name: dashy, sizeGib: 1 }, volume.id)).rejects.toThrow(/too long for its device names/);
    await expect(driver.createSnapshot({ uuid: randomUUID(), name: dashy, volumeId: volume.id })).rejects.toThrow(/too long for its device names/);
    expect(host.calls.filter((call) => !REPORT.includes(call))).toEqual([]);
    expect([...host.lvs.keys()].filter((name) => name.startsWith("a-"))).toEqual([]);
  });

  it("lists the device tables again when a device went away while dmsetup listed them", async () => {
    const { host, driver } = await warmDriver();
    host.vanishingTables = 2;
    await expect(driver.listVolumes()).resolves.toEqual([]);
    expect(host.calls.filter((call) => call === "dmsetup")).toHaveLength(3);
  });

  it("answers 100 reads at once with at most two reports", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    host.calls.length = 0;
    const found = await Promise.all(Array.from({ length: 100 }, () => driver.findVolume(volume.id)));
    expect(found.every((each) => each?.id === volume.id)).toBe(true);
    expect(host.calls.filter((call) => call === "lvm fullreport").length).toBeLessThanOrEqual(2);
  });

  it("reads the host again for each operation, so a change made elsewhere is seen at once", async () => {
    const { host, driver } = await warmDriver();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, provisioning: "thin", host: "fake-1" });
    expect((await driver.findVolume(volume.id))?.sizeGib).toBe(1);
    const lv = host.lvs.get("v1");
    if (lv) lv.sizeBytes = 3 * GIB; // An lvextend by hand.
    expect((await driver.findVolume(volume.id))?.sizeGib).toBe(3);
    host.lvs.delete("v1"); // An lvremove by hand.
    expect(await driver.findVolume(volume.id)).toBeUndefined();
  });
});
