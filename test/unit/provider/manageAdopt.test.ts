import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { ManageExistingInvalidReference, ManageExistingMismatch, ManageExistingVolumeTypeMismatch } from "../../../drivers";
import { providers } from "../../../provider";
import { inProgramTerms, withAdopt } from "../../../provider/adopt";
import { useTestBackends } from "../../fixtures/provider/backends";

useTestBackends();

const volume = {
  backend: "lab",
  name: "legacy-data",
  sizeGb: 2,
  uuid: "0123abcd-0000-5000-8000-000000000000",
};
/** Outputs of an adopted volume. */
const stored = {
  ...volume,
  adopt: true,
  thin: false,
  host: "lab-1",
  labels: {},
  volumeGroup: "cinder-volumes",
  lvName: "legacy-data",
  devicePath: "/dev/mapper/cbgate-x",
  sizeBytes: 2 * 2 ** 30,
  createdAt: "2026-01-01T00:00:00Z",
};
const snapshot = { volumeId: "lab/lab-1/cinder-volumes/legacy-data", name: "nightly", uuid: "4567cdef-0000-5000-8000-000000000000" };

describe("the adopt input", () => {
  it("is a boolean on Volume and Snapshot", async () => {
    expect((await providers.Volume.check({}, { ...volume, adopt: true })).failures).toEqual([]);
    expect((await providers.Snapshot.check({}, { ...snapshot, adopt: true })).failures).toEqual([]);
    expect((await providers.Volume.check({}, { ...volume, adopt: "yes" })).failures).toEqual([{ property: "adopt", reason: "must be a boolean" }]);
  });

  it("cannot be combined with a source, which would make a new volume", async () => {
    const { failures } = await providers.Volume.check({}, { ...volume, adopt: true, sourceVolumeId: "lab/lab-1/cinder-volumes/other" });
    expect(failures).toEqual([
      { property: "adopt", reason: "adopts an existing LV as it is, so it cannot be combined with sourceSnapshotId or sourceVolumeId" },
    ]);
    // In a preview the source may not be known yet: the check then waits for it.
    expect((await providers.Volume.check({}, { ...volume, adopt: true, sourceVolumeId: unknownValue })).failures).toEqual([]);
  });

  it.each([
    [true, false],
    [undefined, true],
    [true, undefined],
  ])("changes nothing when it goes from %s to %s: no update, no replacement", async (before, after) => {
    expect(await providers.Volume.diff(stored.lvName, { ...stored, adopt: before }, { ...volume, adopt: after })).toEqual({ changes: false });
    expect(await providers.Snapshot.diff("s", { ...snapshot, adopt: before }, { ...snapshot, adopt: after })).toEqual({ changes: false });
  });

  it("is echoed in the outputs as the program or the stored state has it, and left out when unset", () => {
    const outputs: { name: string; adopt?: boolean } = { name: "x" };
    expect(withAdopt(outputs, { adopt: true })).toEqual({ name: "x", adopt: true });
    expect(withAdopt(outputs, { adopt: false })).toEqual({ name: "x", adopt: false });
    expect(withAdopt(outputs, {})).toEqual({ name: "x" });
    expect(withAdopt(outputs, undefined)).toEqual({ name: "x" });
  });
});

describe("an adoption refused because the LV differs from the program", () => {
  const id = "lab/lab-1/cinder-volumes/legacy-data";

  it("names each difference by the program's property, and says nothing changed", () => {
    const error = inProgramTerms(
      new ManageExistingMismatch(id, [
        { property: "sizeGib", existing: 3, declared: 2 },
        { property: "provisioning", existing: "thick", declared: "thin" },
      ]),
      "LV legacy-data",
    );
    expect(error).toBeInstanceOf(ManageExistingVolumeTypeMismatch);
    expect((error as Error).message).toBe(
      `cannot adopt LV legacy-data (${id}): it differs from the program: sizeGb: the LV is 3 GiB (rounded up), the program declares 2; ` +
        "thin: the LV is thick, the program declares thin: true. Nothing was changed; declare what the LV is, or drop adopt to create a new one",
    );
  });

  it("names a snapshot of another volume by volumeId", () => {
    const error = inProgramTerms(
      new ManageExistingMismatch(id, [{ property: "volumeId", existing: "lab/lab-1/cinder-volumes/a", declared: "lab/lab-1/cinder-volumes/b" }]),
      "snapshot LV s",
    );
    expect((error as Error).message).toContain("volumeId: the LV is a snapshot of lab/lab-1/cinder-volumes/a, the program declares lab/lab-1/cinder-volumes/b");
  });

  it("passes any other error through as it came", () => {
    const other = new ManageExistingInvalidReference("there is no LV named x");
    expect(inProgramTerms(other, "LV x")).toBe(other);
  });
});
