import { InvalidConfiguration, NoValidBackend } from "../../drivers/interface/errors";
import { LvmHost } from "../../drivers/lvm/core/host";
import { gateName } from "../../drivers/lvm/model/names";
import { SshPool } from "../../drivers/ssh/exec";
import type { PoolStats } from "../../drivers/interface/types";
import { MiB, newUuid, openLabDriver, pattern } from "./driverSupport";
import { hostDmTable, hostLv, labTarget, onHostOk, unique } from "./support";

const VG = "cinder-volumes";

describe("LVM driver setup on a real host", () => {
  it("recreates lost gates and reactivates volumes, as after a host reboot", async () => {
    const first = await openLabDriver();
    const name = unique("reboot");
    const volume = await first.driver.createVolume({ uuid: newUuid(), name, sizeGib: 1 });
    await first.driver.writeData(volume.id, 0, pattern("survives the reboot", 0x42));
    await first.backends.close();
    // What a reboot leaves: no gate (device-mapper state is not persistent), an inactive LV.
    await onHostOk(`dmsetup remove ${gateName(VG, name)} && lvchange -an ${VG}/${name}`);
    expect(await hostDmTable(gateName(VG, name))).toBeUndefined();

    const second = await openLabDriver();
    try {
      await second.driver.checkForSetupError();
      expect(await hostDmTable(gateName(VG, name))).toMatch(/^0 2097152 linear \d+:\d+ 0$/);
      expect((await hostLv(name))!.attr[4]).toBe("a");
      expect(await second.driver.readData({ volumeId: volume.id }, 0, MiB)).toEqual(pattern("survives the reboot", 0x42));
    } finally {
      await second.driver.deleteVolume(volume.id);
      await second.backends.close();
    }
  });

  it("refuses a host whose LVM is not restricted to a devices file", async () => {
    const conf = "/etc/lvm/lvmlocal.conf";
    await onHostOk(`cp ${conf} ${conf}.cb-test && sed -i 's/use_devicesfile = 1/use_devicesfile = 0/' ${conf}`);
    const { backends, driver } = await openLabDriver("lab-nodevices");
    try {
      const error = await driver.checkForSetupError().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidConfiguration);
      expect((error as Error).message).toMatch(/does not use a devices file; set devices\/use_devicesfile=1/);
    } finally {
      await onHostOk(`mv ${conf}.cb-test ${conf}`);
      await backends.close();
    }
  });

  it("with lvmType=default, makes only thick volumes even when a pool exists", async () => {
    const { backends, driver } = await openLabDriver("lab-thick", { lvmType: "default" });
    try {
      const thin = driver.createVolume({ uuid: newUuid(), sizeGib: 1, provisioning: "thin" });
      await expect(thin).rejects.toThrow(NoValidBackend);
      await expect(thin).rejects.toThrow("lab-1: has no thin pool");
      const stats = await driver.getVolumeStats(true);
      expect(stats.thin_provisioning_support).toBe(false);
      const volume = await driver.createVolume({ uuid: newUuid(), name: unique("thickonly"), sizeGib: 1 });
      expect(volume.provisioning).toBe("thick");
      await driver.deleteVolume(volume.id);
    } finally {
      await backends.close();
    }
  });

  it("reports a thin host's free capacity from the pool's data usage, not from VG free space", async () => {
    const { backends, driver } = await openLabDriver();
    const volume = await driver.createVolume({ uuid: newUuid(), name: unique("fill"), sizeGib: 1, provisioning: "thin" });
    try {
      const vgFreeBefore = (await onHostOk(`vgs --noheadings --units b --nosuffix -o vg_free ${VG}`)).trim();
      const before = (await driver.getVolumeStats(true)).pools[0] as PoolStats;
      await driver.writeData(volume.id, 0, Buffer.alloc(64 * MiB, 0x77));
      const after = (await driver.getVolumeStats(true)).pools[0] as PoolStats;
      const [size, dataPercent] = (await onHostOk(`lvs --noheadings --units b --nosuffix -o lv_size,data_percent ${VG}/${VG}-pool`))
        .trim()
        .split(/\s+/)
        .map(Number);
      expect(after.free_capacity_gb).toBeCloseTo(((size ?? 0) * (1 - (dataPercent ?? 0) / 100)) / 1024 ** 3, 1);
      expect(before.free_capacity_gb as number).toBeGreaterThan(after.free_capacity_gb as number);
      expect((await onHostOk(`vgs --noheadings --units b --nosuffix -o vg_free ${VG}`)).trim()).toBe(vgFreeBefore);
      expect(after).toMatchObject({ thin_provisioning_support: true, backend_state: "up" });
    } finally {
      await driver.deleteVolume(volume.id);
      await backends.close();
    }
  });

  it("serializes work under a host-side lock across separate connections", async () => {
    const pools = [new SshPool(), new SshPool()];
    const hosts = pools.map((pool, i) => new LvmHost("lab-1", VG, pool.runner(`client-${i}`, labTarget())));
    const spans: Array<[number, number]> = [];
    const hold = (host: LvmHost) =>
      host.withLock("cb-test", async () => {
        const start = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 2000));
        spans.push([start, Date.now()]);
      });
    try {
      await Promise.all(hosts.map(hold));
      const [a, b] = spans.sort((x, y) => x[0] - y[0]);
      expect(b![0]).toBeGreaterThanOrEqual(a![1]);
    } finally {
      pools.forEach((pool) => pool.close());
    }
  });
});
