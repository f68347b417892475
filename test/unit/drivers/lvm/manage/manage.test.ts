import { ManageExistingAlreadyManaged, ManageExistingInvalidReference, SnapshotIsBusy, VolumeIsBusy } from "../../../../../drivers/interface/errors";
import { ManageExistingMismatch } from "../../../../../drivers/interface/manageableDriver";
import { lvmHostSchema } from "../../../../../drivers/lvm/config";
import type { ReadyHost } from "../../../../../drivers/lvm/core/hosts";
import { refusal, retag } from "../../../../../drivers/lvm/manage/manage";
import { parseLvs } from "../../../../../drivers/lvm/model/report";
import { fakeHost } from "../../../../fakes/fakeRunner";
import { fixture, lvNamed } from "../../../../fakes/lvmFixtures";

const ID = "lab/lab-1/cinder-volumes/data";

describe("refusal: the error manage throws for an LV it must not take", () => {
  it("is ManageExistingAlreadyManaged when cinderblock has it, whatever else is wrong", () => {
    const error = refusal(ID, "volume", [{ code: "managed", reason: "already managed by cinderblock as volume u-1" }]);
    expect(error).toBeInstanceOf(ManageExistingAlreadyManaged);
    expect(error.message).toBe(`cannot adopt ${ID} as a volume: already managed by cinderblock as volume u-1`);
  });

  it("is VolumeIsBusy or SnapshotIsBusy when the only problem is an open device", () => {
    const open = [{ code: "inUse" as const, reason: "in use" }];
    expect(refusal(ID, "volume", open)).toBeInstanceOf(VolumeIsBusy);
    expect(refusal(ID, "snapshot", open)).toBeInstanceOf(SnapshotIsBusy);
  });

  it("is ManageExistingInvalidReference otherwise, with every reason", () => {
    const error = refusal(ID, "volume", [
      { code: "inUse", reason: "in use" },
      { code: "badName", reason: "bad name" },
    ]);
    expect(error).toBeInstanceOf(ManageExistingInvalidReference);
    expect(error.message).toBe(`cannot adopt ${ID} as a volume: in use; bad name`);
  });
});

describe("ManageExistingMismatch", () => {
  it("is Cinder's type-mismatch error, listing each difference and saying nothing changed", () => {
    const error = new ManageExistingMismatch(ID, [
      { property: "sizeGib", existing: 2, declared: 1 },
      { property: "provisioning", existing: "thick", declared: "thin" },
    ]);
    expect(error.code).toBe("ManageExistingVolumeTypeMismatch");
    expect(error.message).toBe(`${ID} does not match what was asked: sizeGib is 2, not 1; provisioning is thick, not thin; nothing was changed`);
  });
});

describe("retag: cinderblock's tags on an adopted or released LV", () => {
  const lv = { ...lvNamed(parseLvs(fixture("lvs-all.json")), "fx-d810-thin") };
  const config = lvmHostSchema.parse({ name: "fake-1", address: "127.0.0.1", privateKeyPath: "/keys/id", hostKey: "ssh-ed25519 AAAAC3Nza" });
  const ready = (lvm: ReadyHost["lvm"]): ReadyHost => ({ lvm, config, pool: undefined });

  it("adds what is missing and removes only stale cinderblock tags, in one lvchange; foreign tags stay", async () => {
    const { host, runner } = fakeHost({ lvchange: {} });
    const tagged = { ...lv, tags: [...lv.tags, "backup=nightly"] };
    await retag(ready(host), tagged, ["cinderblock", "cb.kind=volume", "cb.uuid=0d5c6a4e-fxd810", "cb.label.env=prod"]);
    expect(runner.calls).toEqual([
      [
        "lvchange",
        "--quiet",
        "--addtag",
        "cb.label.env=prod",
        "--deltag",
        "cb.desc=Rml4dHVyZSB2b2x1bWU6IMO8bsOvY29kZSDinJMgYW5kIHNwYWNlcw",
        "--deltag",
        "cb.label.env=test",
        "--deltag",
        "cb.label.team=storage",
        "cinder-volumes/fx-d810-thin",
      ],
    ]);
  });

  it("runs nothing when the tags are already right (a retried adoption)", async () => {
    const { host, runner } = fakeHost({ lvchange: {} });
    await retag(ready(host), lv, lv.tags);
    expect(runner.calls).toEqual([]);
  });
});
