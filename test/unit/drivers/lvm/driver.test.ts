import { randomUUID } from "node:crypto";
import { InvalidInput, VolumeAlreadyExists } from "../../../../drivers/interface/errors";
import { lvmBackendSchema } from "../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../drivers/lvm/driver";
import { DELETING_TAG, INCOMPLETE_TAG } from "../../../../drivers/lvm/model/model";
import { encodeTags } from "../../../../drivers/lvm/model/tags";
import { silentLogger } from "../../../../drivers/log";
import { FakeLvmHost } from "../../../fakes/lvmHost";

/**
 * The LVM driver's own logic on the in-memory host: retries after a lost response, name
 * conflicts, and what a crash between steps leaves (the tags each step puts on an LV). The lab
 * tests prove the same on real LVM; these take milliseconds.
 */
const config = lvmBackendSchema.parse({
  driver: "lvm",
  lvmType: "thin",
  hosts: [{ name: "fake-1", address: "192.0.2.1", privateKey: "unused", hostKey: "SHA256:unused" }],
});
const GIB = 1024 ** 3;

function setUp(): { host: FakeLvmHost; driver: LvmDriver } {
  const host = new FakeLvmHost();
  return { host, driver: new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() }) };
}

const spec = (name: string, uuid = randomUUID()) => ({ uuid, name, sizeGib: 1, labels: {} });

/** An LV as a crashed create of the thin volume `name` leaves it: made and tagged, its completion tag still missing. */
function halfMade(host: FakeLvmHost, name: string, uuid: string, extra: string[]): void {
  const tags = [...encodeTags({ kind: "volume", uuid, labels: {} }), ...extra];
  host.lvs.set(name, { name, sizeBytes: GIB, pool: "cinder-volumes-pool", origin: "", tags, minor: 90, time: "2026-12-05 10:00:00 +0000" });
}

describe("the LVM driver's logic", () => {
  it("answers a create retried after its response was lost with the same volume, writing nothing more", async () => {
    const { host, driver } = setUp();
    const request = spec("retried");
    const first = await driver.createVolume(request);
    host.calls.length = 0;
    const again = await driver.createVolume(request);
    expect(again).toEqual(first);
    expect(host.calls).not.toContain("lv-write.sh");
    expect([...host.lvs.keys()].filter((name) => name === "retried")).toHaveLength(1);
  });

  it("refuses a create whose name another volume holds, naming its owner, and changes nothing", async () => {
    const { host, driver } = setUp();
    const owner = spec("taken");
    await driver.createVolume(owner);
    const before = JSON.stringify([...host.lvs.values()]);
    const refused = driver.createVolume(spec("taken"));
    await expect(refused).rejects.toThrow(VolumeAlreadyExists);
    await expect(refused).rejects.toThrow(
      `an LV named taken already exists in cinder-volumes on fake-1 (cinderblock volume ${owner.uuid}); choose another name`,
    );
    expect(JSON.stringify([...host.lvs.values()])).toBe(before);
  });

  it("refuses a thin create up front when the thin pool is nearly full (95 %), saying how to make room, and writes nothing", async () => {
    const { host, driver } = setUp();
    await driver.createVolume(spec("first"));
    host.poolDataPercent = 96;
    const before = JSON.stringify([...host.lvs.values()]);
    host.calls.length = 0;
    await expect(driver.createVolume({ ...spec("late"), host: "fake-1" })).rejects.toThrow(
      /thin pool cinder-volumes\/cinder-volumes-pool on fake-1 is full \(data 96%.*extend it \(lvextend/,
    );
    expect(host.calls).not.toContain("lv-write.sh");
    expect(JSON.stringify([...host.lvs.values()])).toBe(before);
  });

  it("refuses an LV name LVM would not take before sending any write", async () => {
    const { host, driver } = setUp();
    await expect(driver.createVolume(spec("-rf"))).rejects.toThrow(InvalidInput);
    expect(host.calls).not.toContain("lv-write.sh");
  });

  it("redoes a create that crashed before its completion tag: its retry removes the half-made LV and makes the volume whole", async () => {
    const { host, driver } = setUp();
    const request = spec("crashed");
    halfMade(host, "crashed", request.uuid, [INCOMPLETE_TAG]);
    const volume = await driver.createVolume(request);
    expect(volume.uuid).toBe(request.uuid);
    expect(host.lvs.get("crashed")?.tags).not.toContain(INCOMPLETE_TAG);
    expect(host.calls).toContain("lvremove");
    expect(host.gates.size).toBe(1);
  });

  it("does not list a half-made volume, nor one being deleted", async () => {
    const { host, driver } = setUp();
    await driver.createVolume(spec("whole"));
    halfMade(host, "half", randomUUID(), [INCOMPLETE_TAG]);
    halfMade(host, "going", randomUUID(), [DELETING_TAG]);
    expect((await driver.listVolumes()).map((volume) => volume.name)).toEqual(["whole"]);
  });

  it("finishes a delete that crashed after marking the volume, and a delete retried after it finished succeeds", async () => {
    const { host, driver } = setUp();
    const volume = await driver.createVolume(spec("marked"));
    host.lvs.get("marked")?.tags.push(DELETING_TAG);
    await driver.deleteVolume(volume.id);
    expect(host.lvs.has("marked")).toBe(false);
    expect(host.gates.size).toBe(0);
    await expect(driver.deleteVolume(volume.id)).resolves.toBeUndefined();
  });

  it("refuses to shrink a volume, saying so, and changes nothing", async () => {
    const { host, driver } = setUp();
    const volume = await driver.createVolume({ ...spec("grown"), sizeGib: 2 });
    host.calls.length = 0;
    await expect(driver.extendVolume(volume.id, 1)).rejects.toThrow(/shrink|smaller/i);
    expect(host.calls).not.toContain("lv-write.sh");
    expect(host.lvs.get("grown")?.sizeBytes).toBe(2 * GIB);
  });

  it("answers a snapshot retried after its response was lost with the same snapshot", async () => {
    const { host, driver } = setUp();
    const volume = await driver.createVolume(spec("origin"));
    const request = { uuid: randomUUID(), volumeId: volume.id, name: "snap", labels: {} };
    const first = await driver.createSnapshot(request);
    host.calls.length = 0;
    expect(await driver.createSnapshot(request)).toEqual(first);
    expect(host.calls).not.toContain("lv-write.sh");
  });
});
