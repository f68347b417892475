import { randomUUID } from "node:crypto";
import { VolumeAlreadyExists, type Leftover } from "../../../../../drivers/interface";
import { lvmBackendSchema } from "../../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../../drivers/lvm/driver";
import { DELETING_TAG, INCOMPLETE_TAG } from "../../../../../drivers/lvm/model/model";
import { silentLogger } from "../../../../../drivers/log";
import { FakeLvmHost } from "../../../../fakes/lvmHost";

/**
 * `cinderblock doctor` on the in-memory LVM host: each kind of leftover an interrupted
 * operation can leave is found with its reason, and `fix` takes the driver's own recovery or
 * removal for it, never touching what cinderblock did not make or what an operation still
 * works on. Then identical requests racing, and retries after a crash, converging.
 */
const config = lvmBackendSchema.parse({
  driver: "lvm",
  lvmType: "thin",
  hosts: [{ name: "fake-1", address: "192.0.2.1", privateKey: "unused", hostKey: "SHA256:unused" }],
});
const GIB = 1024 ** 3;
const VG = "cinder-volumes";

function setUp(): { host: FakeLvmHost; driver: LvmDriver } {
  const host = new FakeLvmHost();
  return { host, driver: new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() }) };
}

/** Puts an LV on the host as a crash would have left it. */
function leave(host: FakeLvmHost, name: string, tags: string[], options: { pool?: string; origin?: string } = {}): void {
  host.lvs.set(name, {
    name,
    sizeBytes: GIB,
    pool: options.pool ?? "",
    origin: options.origin ?? "",
    tags,
    minor: 90 + host.lvs.size,
    time: "2026-12-05 10:00:00 +0000",
  });
}

const own = (kind: string, uuid: string, ...more: string[]): string[] => ["cinderblock", `cb.kind=${kind}`, `cb.uuid=${uuid}`, ...more];
const summary = (found: readonly Leftover[]): string[] => found.map((each) => `${each.kind} ${each.object}`).sort();

describe("doctor on one host", () => {
  it("finds nothing on a consistent host, volumes, snapshots and foreign LVs included", async () => {
    const { host, driver } = setUp();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, host: "fake-1" });
    await driver.createSnapshot({ uuid: randomUUID(), name: "s1", volumeId: volume.id });
    leave(host, "theirs", ["someone-else"]);
    expect(await driver.findLeftovers()).toEqual([]);
    expect(await driver.fixLeftovers()).toEqual([]);
  });

  it("finds an incomplete volume and an incomplete snapshot, with reason and action, and removes them; never a foreign LV", async () => {
    const { host, driver } = setUp();
    leave(host, "half", own("volume", "u-half", INCOMPLETE_TAG), { pool: `${VG}-pool` });
    leave(host, "half-snap", own("snapshot", "u-snap", INCOMPLETE_TAG, "cb.volume=half"), { pool: `${VG}-pool` });
    leave(host, "theirs", ["cb.incomplete"]); // cinderblock's tag, but not cinderblock's LV: no marker.
    const found = await driver.findLeftovers();
    expect(summary(found)).toEqual(["incomplete half", "incomplete half-snap"]);
    expect(found[0]).toMatchObject({
      backend: "b",
      host: "fake-1",
      reason: expect.stringContaining("create did not finish"),
      action: expect.stringContaining("remove"),
    });
    expect(host.calls).not.toEqual(expect.arrayContaining(["lvremove", "volume-remove.sh", "lv-write.sh"]));
    const fixed = await driver.fixLeftovers();
    expect(fixed.map((each) => [each.object, each.fixed])).toEqual(
      expect.arrayContaining([
        ["half", true],
        ["half-snap", true],
      ]),
    );
    expect([...host.lvs.keys()].sort()).toEqual([`${VG}-pool`, "theirs"]);
    expect(await driver.findLeftovers()).toEqual([]);
  });

  it("leaves an incomplete volume alone while its create holds the create lock", async () => {
    const { host, driver } = setUp();
    const volume = await driver.createVolume({ uuid: randomUUID(), name: "src", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    let endCopy: () => void = () => undefined;
    let copying: () => void = () => undefined;
    const inCopy = new Promise<void>((resolve) => (copying = resolve));
    host.beforeCopyEnds = () => {
      copying();
      return new Promise((resolve) => (endCopy = resolve));
    };
    const uuid = randomUUID();
    const clone = driver.createClonedVolume({ uuid, name: "copy", sizeGib: 1, provisioning: "thick" }, volume.id);
    await inCopy;
    expect(summary(await driver.findLeftovers())).toEqual(["incomplete copy", `temporary cbtmp-${uuid}`]);
    const fixed = await driver.fixLeftovers();
    expect(fixed.every((each) => !each.fixed && /still running/.test(each.error ?? ""))).toBe(true);
    endCopy();
    await expect(clone).resolves.toMatchObject({ name: "copy", uuid });
    expect(await driver.findLeftovers()).toEqual([]);
  });

  it("finishes a delete that stopped after marking the volume", async () => {
    const { host, driver } = setUp();
    await driver.createVolume({ uuid: randomUUID(), name: "going", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    host.lvs.get("going")?.tags.push(DELETING_TAG);
    const [found] = await driver.findLeftovers();
    expect(found).toMatchObject({ kind: "deleting", object: "going", action: expect.stringContaining("finish the delete") });
    expect(await driver.fixLeftovers()).toEqual([expect.objectContaining({ kind: "deleting", fixed: true })]);
    expect(host.lvs.has("going")).toBe(false);
    expect(host.gates.size).toBe(0);
  });

  it("removes a copy's temporary snapshot", async () => {
    const { host, driver } = setUp();
    await driver.createVolume({ uuid: randomUUID(), name: "src", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    leave(host, "cbtmp-u1", ["cinderblock", "cb.kind=temp", "cb.uuid=tmp-u1", "cb.temp-for=u1", "cb.volume=src"], { origin: "src" });
    expect(summary(await driver.findLeftovers())).toEqual(["temporary cbtmp-u1"]);
    expect(await driver.fixLeftovers()).toEqual([expect.objectContaining({ fixed: true })]);
    expect(host.lvs.has("cbtmp-u1")).toBe(false);
    expect(host.lvs.has("src")).toBe(true);
  });

  it("removes a gate whose volume is gone, but not one held open; leaves other VGs' gates alone", async () => {
    const { host, driver } = setUp();
    host.gates.set(`cbgate-${VG.replace(/-/g, "--")}-gone`, "0 2097152 linear 253:40 0");
    host.gates.set(`cbgate-${VG.replace(/-/g, "--")}-held`, "0 2097152 linear 253:41 0");
    host.gates.set(`cbgate-${VG.replace(/-/g, "--")}--other-vg`, "0 2097152 linear 253:42 0"); // VG "cinder-volumes-other"'s
    host.openGates.add(`cbgate-${VG.replace(/-/g, "--")}-held`);
    expect(summary(await driver.findLeftovers())).toEqual(["orphanGate cbgate-cinder--volumes-gone", "orphanGate cbgate-cinder--volumes-held"]);
    const fixed = await driver.fixLeftovers();
    expect(fixed.map((each) => [each.object, each.fixed])).toEqual([
      ["cbgate-cinder--volumes-gone", true],
      ["cbgate-cinder--volumes-held", false],
    ]);
    expect(fixed[1]?.error).toMatch(/held open/);
    expect([...host.gates.keys()].sort()).toEqual(["cbgate-cinder--volumes--other-vg", "cbgate-cinder--volumes-held"]);
  });

  it("recreates a missing gate and reloads a stale one", async () => {
    const { host, driver } = setUp();
    await driver.createVolume({ uuid: randomUUID(), name: "v1", sizeGib: 1, host: "fake-1" });
    await driver.createVolume({ uuid: randomUUID(), name: "v2", sizeGib: 1, host: "fake-1" });
    host.gates.delete("cbgate-cinder--volumes-v1");
    const v2 = host.lvs.get("v2");
    if (v2) v2.sizeBytes = 2 * GIB; // lvextend by hand
    // Another process, which has not set the host up (that would recreate the gates): it only reads.
    const other = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    const found = await other.findLeftovers();
    expect(summary(found)).toEqual(["missingGate v1", "missingGate v2"]);
    expect(found.find((each) => each.object === "v2")?.reason).toMatch(/does not map the LV as it is now/);
    expect((await other.fixLeftovers()).every((each) => each.fixed)).toBe(true);
    expect(host.gates.get("cbgate-cinder--volumes-v2")).toBe(`0 ${(2 * GIB) / 512} linear 253:${v2?.minor} 0`);
    expect(host.gates.has("cbgate-cinder--volumes-v1")).toBe(true);
  });

  it("deletes staged image files no copy uses, and reports none of a copy still running", async () => {
    const { host, driver } = setUp();
    host.staged.set("/var/tmp/cinderblock/cb-stage-OLD", { ageS: 3600, open: false });
    host.staged.set("/var/tmp/cinderblock/cb-stage-OPEN", { ageS: 3600, open: true });
    host.staged.set("/var/tmp/cinderblock/cb-stage-NEW", { ageS: 5, open: false });
    expect(summary(await driver.findLeftovers())).toEqual(["stagedFile /var/tmp/cinderblock/cb-stage-OLD"]);
    expect(await driver.fixLeftovers()).toEqual([expect.objectContaining({ fixed: true })]);
    expect([...host.staged.keys()].sort()).toEqual(["/var/tmp/cinderblock/cb-stage-NEW", "/var/tmp/cinderblock/cb-stage-OPEN"]);
  });

  it("removes every member of a group snapshot that did not complete, and clears a dead pause window", async () => {
    const { host, driver } = setUp();
    await driver.createVolume({ uuid: randomUUID(), name: "m1", sizeGib: 1, host: "fake-1" });
    await driver.createVolume({ uuid: randomUUID(), name: "m2", sizeGib: 1, host: "fake-1" });
    const set = ["cb.gsnap=gs", "cb.gsnap-uuid=gs-uuid", "cb.gsnap-group=g"];
    leave(host, "gs-1", own("snapshot", "gs-uuid-1", "cb.volume=m1", ...set, "cb.gsnap-complete"), { pool: `${VG}-pool`, origin: "m1" });
    leave(host, "gs-2", own("snapshot", "gs-uuid-2", "cb.volume=m2", ...set, INCOMPLETE_TAG), { pool: `${VG}-pool`, origin: "m2" });
    host.windows.add("/run/cinderblock-gsnap/run.abc123");
    host.suspended.add("cbgate-cinder--volumes-m1");
    const found = await driver.findLeftovers();
    expect(summary(found)).toEqual(
      ["groupSnapshotSet gs", "groupSnapshotWindow /run/cinderblock-gsnap/run.abc123", "groupSnapshotWindow cbgate-cinder--volumes-m1"].sort(),
    );
    const fixed = await driver.fixLeftovers();
    expect(fixed.every((each) => each.fixed)).toBe(true);
    expect(host.lvs.has("gs-1") || host.lvs.has("gs-2")).toBe(false);
    expect([host.windows.size, host.suspended.size]).toEqual([0, 0]);
  });
});

describe("identical requests converge", () => {
  it("two identical creates at once: both get the one volume", async () => {
    const { host, driver } = setUp();
    const spec = { uuid: randomUUID(), name: "same", sizeGib: 1, host: "fake-1" };
    const other = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    const [a, b] = await Promise.all([driver.createVolume(spec), other.createVolume(spec)]);
    expect(a.id).toBe(b.id);
    expect([...host.lvs.keys()].filter((name) => name === "same")).toHaveLength(1);
    expect(await driver.findLeftovers()).toEqual([]);
  });

  it("two identical thick clones at once: both get the one clone, copied once, nothing left over", async () => {
    const { host, driver } = setUp();
    const source = await driver.createVolume({ uuid: randomUUID(), name: "src", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    const spec = { uuid: randomUUID(), name: "twin", sizeGib: 1, provisioning: "thick" as const };
    const other = new LvmDriver("b", config, { logger: silentLogger, ssh: host.runners() });
    host.calls.length = 0;
    const [a, b] = await Promise.all([driver.createClonedVolume(spec, source.id), other.createClonedVolume(spec, source.id)]);
    expect(a).toEqual(b);
    expect(host.calls.filter((call) => call === "dd")).toHaveLength(1);
    expect(host.lvs.get("twin")?.tags).not.toContain(INCOMPLETE_TAG);
    expect(await driver.findLeftovers()).toEqual([]);
  });

  it("a retried clone finishes what a crashed attempt left (incomplete LV and temporary snapshot); another uuid with that name is refused", async () => {
    const { host, driver } = setUp();
    const source = await driver.createVolume({ uuid: randomUUID(), name: "src", sizeGib: 1, provisioning: "thick", host: "fake-1" });
    const uuid = randomUUID();
    leave(host, "fa-clone", own("volume", uuid, "cb.source=volume/src", INCOMPLETE_TAG));
    leave(host, `cbtmp-${uuid}`, ["cinderblock", "cb.kind=temp", `cb.uuid=tmp-${uuid}`, `cb.temp-for=${uuid}`, "cb.volume=src"], { origin: "src" });
    await expect(driver.createClonedVolume({ uuid: randomUUID(), name: "fa-clone", sizeGib: 1 }, source.id)).rejects.toThrow(VolumeAlreadyExists);
    const clone = await driver.createClonedVolume({ uuid, name: "fa-clone", sizeGib: 1, provisioning: "thick" }, source.id);
    expect(clone).toMatchObject({ uuid, name: "fa-clone" });
    expect(host.lvs.get("fa-clone")?.tags).not.toContain(INCOMPLETE_TAG);
    expect(await driver.findLeftovers()).toEqual([]);
  });
});
