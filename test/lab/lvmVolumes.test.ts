import { InvalidInput, VolumeAlreadyExists, VolumeIsBusy, VolumeNotFound } from "../../drivers/interface/errors";
import { gateName } from "../../drivers/lvm/model/names";
import type { Backends } from "../../drivers";
import { GiB, MiB, newUuid, openLabDriver, pattern, type LabDriver } from "./driverSupport";
import { holdOpen, hostDmTable, hostLv, hostLvs, onHostOk, unique } from "./support";

const VG = "cinder-volumes";

describe("LVM driver volumes on a real host", () => {
  let backends: Backends;
  let driver: LabDriver;
  beforeAll(async () => {
    ({ backends, driver } = await openLabDriver());
  });
  afterAll(() => backends.close());

  it.each(["thin", "thick"] as const)("creates a %s volume: right size, type and tags, consumed through its gate", async (provisioning) => {
    const uuid = newUuid();
    const name = unique(`vol-${provisioning}`);
    const volume = await driver.createVolume({ uuid, name, sizeGib: 1, provisioning, labels: { team: "storage" }, description: "döcs & spaces" });
    try {
      const lv = await hostLv(name);
      expect(lv).toBeDefined();
      expect(lv!.sizeBytes).toBe(GiB);
      expect(lv!.pool !== "").toBe(provisioning === "thin");
      expect(lv!.tags).toEqual(expect.arrayContaining(["cinderblock", "cb.kind=volume", `cb.uuid=${uuid}`, "cb.label.team=storage"]));
      // The gate maps the LV 1:1 and is what the volume reports as its device.
      const table = await hostDmTable(gateName(VG, name));
      const [major, minor] = (await onHostOk(`lvs --noheadings -o lv_kernel_major,lv_kernel_minor ${VG}/${name}`)).trim().split(/\s+/);
      expect(table).toBe(`0 ${GiB / 512} linear ${major}:${minor} 0`);
      expect(volume.devicePath).toBe(`/dev/mapper/${gateName(VG, name)}`);
      expect(volume).toMatchObject({ uuid, name, sizeGib: 1, provisioning, host: "lab-1", volumeGroup: VG, description: "döcs & spaces" });
      expect(await driver.findVolume(volume.id)).toEqual(volume);
    } finally {
      await driver.deleteVolume(volume.id);
    }
    expect(await hostLv(name)).toBeUndefined();
    expect(await hostDmTable(gateName(VG, name))).toBeUndefined();
  });

  it("sees a change made by hand on the host at the next read, in one operation or in many at once (pulumi refresh)", async () => {
    const name = unique("oob");
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1, provisioning: "thin" });
    try {
      expect((await driver.findVolume(volume.id))?.sizeGib).toBe(1);
      await onHostOk(`lvextend -q -L 2g ${VG}/${name}`);
      expect((await driver.findVolume(volume.id))?.sizeGib).toBe(2);
      await onHostOk(`lvextend -q -L 3g ${VG}/${name}`);
      const many = await Promise.all(Array.from({ length: 20 }, () => driver.findVolume(volume.id)));
      expect(many.map((found) => found?.sizeGib)).toEqual(Array(20).fill(3));
      await onHostOk(`dmsetup remove ${gateName(VG, name)} && lvremove -q -y ${VG}/${name}`);
      expect(await driver.findVolume(volume.id)).toBeUndefined();
      expect((await driver.listVolumes()).map((listed) => listed.id)).not.toContain(volume.id);
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("creates nothing new when the same create is retried", async () => {
    const uuid = newUuid();
    const name = unique("retry");
    const first = await driver.createVolume({ uuid, name, sizeGib: 1 });
    try {
      const again = await driver.createVolume({ uuid, name, sizeGib: 1 });
      expect(again.id).toBe(first.id);
      expect((await hostLvs()).filter((lv) => lv.tags.includes(`cb.uuid=${uuid}`))).toHaveLength(1);
    } finally {
      await driver.deleteVolume(first.id);
    }
  });

  it("refuses a name that another volume already has, and changes nothing", async () => {
    const name = unique("taken");
    const owner = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1 });
    try {
      const before = await hostLvs();
      await expect(driver.createVolume({ uuid: newUuid(), name, sizeGib: 2 })).rejects.toThrow(VolumeAlreadyExists);
      expect(await hostLvs()).toEqual(before);
    } finally {
      await driver.deleteVolume(owner.id);
    }
  });

  it("rejects hostile or reserved names before running any command", async () => {
    const before = await hostLvs();
    for (const name of ["; rm -rf /", "$(touch /tmp/x)", "a b", "-flag", "x_tmeta", "é"]) {
      await expect(driver.createVolume({ uuid: newUuid(), name, sizeGib: 1 })).rejects.toThrow(InvalidInput);
    }
    await expect(driver.findVolume("lab/lab-1/cinder-volumes/$(reboot)")).rejects.toThrow(InvalidInput);
    expect(await hostLvs()).toEqual(before);
  });

  it("stores a name that LVM reserves (snapshot...) escaped, and gives it back unescaped", async () => {
    const name = unique("snapshotlike");
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1 });
    try {
      expect(volume.lvName).toBe(`_${name}`);
      expect(volume.name).toBe(name);
      expect(await hostLv(`_${name}`)).toBeDefined();
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("treats deleting an absent volume as success", async () => {
    await expect(driver.deleteVolume(`lab/lab-1/${VG}/${unique("never")}`)).resolves.toBeUndefined();
  });

  it.each(["thin", "thick"] as const)("extends a %s volume online, keeps its data, and reloads its gate", async (provisioning) => {
    const name = unique(`grow-${provisioning}`);
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1, provisioning });
    try {
      await driver.writeData(volume.id, 0, pattern("before-extend", 0x11));
      const grown = await driver.extendVolume(volume.id, 2);
      expect(grown.sizeGib).toBe(2);
      expect((await hostLv(name))!.sizeBytes).toBe(2 * GiB);
      expect(await hostDmTable(gateName(VG, name))).toMatch(new RegExp(`^0 ${(2 * GiB) / 512} linear `));
      expect(await driver.readData({ volumeId: volume.id }, 0, MiB)).toEqual(pattern("before-extend", 0x11));
      // Writing past the old end proves the gate really grew.
      await driver.writeData(volume.id, 2 * GiB - MiB, pattern("at-the-new-end", 0x22));
      expect(await driver.readData({ volumeId: volume.id }, 2 * GiB - MiB, MiB)).toEqual(pattern("at-the-new-end", 0x22));
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("refuses to shrink a volume and leaves it as it was", async () => {
    const name = unique("noshrink");
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 2 });
    try {
      await expect(driver.extendVolume(volume.id, 1)).rejects.toThrow(/shrinking it to 1 GiB is not supported/);
      expect((await hostLv(name))!.sizeBytes).toBe(2 * GiB);
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("reports a missing volume as VolumeNotFound when extending it", async () => {
    await expect(driver.extendVolume(`lab/lab-1/${VG}/${unique("ghost")}`, 3)).rejects.toThrow(VolumeNotFound);
  });

  it("updates description and labels without touching foreign tags or data", async () => {
    const name = unique("meta");
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1, labels: { a: "1" } });
    try {
      await onHostOk(`lvchange --addtag operator-note ${VG}/${name}`);
      const updated = await driver.updateVolume(volume.id, { labels: { b: "2" }, description: "new" });
      expect(updated.labels).toEqual({ b: "2" });
      expect(updated.description).toBe("new");
      const tags = (await hostLv(name))!.tags;
      expect(tags).toContain("operator-note");
      expect(tags).not.toContain("cb.label.a=1");
    } finally {
      await driver.deleteVolume(volume.id);
    }
  });

  it("refuses to delete an LV that cinderblock does not manage", async () => {
    const name = unique("foreign");
    await onHostOk(`lvcreate -q -y -L 8m -n ${name} ${VG}`);
    try {
      await expect(driver.deleteVolume(`lab/lab-1/${VG}/${name}`)).rejects.toThrow(/not managed by cinderblock/);
      expect(await hostLv(name)).toBeDefined();
    } finally {
      await onHostOk(`lvremove -q -y ${VG}/${name}`);
    }
  });

  it("refuses to delete a volume whose gate is open, and changes nothing", async () => {
    const name = unique("held");
    const volume = await driver.createVolume({ uuid: newUuid(), name, sizeGib: 1 });
    const release = await holdOpen(volume.devicePath);
    try {
      const error = await driver.deleteVolume(volume.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VolumeIsBusy);
      expect(await hostLv(name)).toBeDefined();
    } finally {
      await release();
      await driver.deleteVolume(volume.id);
    }
  });
});
