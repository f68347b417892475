/**
 * The hostile strings of the CLI sweep through every string input of the Volume and Snapshot
 * resources' Check (issue 16, item 4): each is refused with a failure on that very property, or
 * kept verbatim in the checked inputs. (The other resources' inputs are not swept yet.)
 */
import { providers } from "../../../provider";
import { useTestBackends } from "../../fixtures/provider/backends";
import { HOSTILE } from "../../fixtures/hostileStrings";

useTestBackends();

const VOLUME = { backend: "lab", name: "data-0123abcd", sizeGb: 2, uuid: "0123abcd-0000-5000-8000-000000000000", description: "d" };
const SNAPSHOT = { volumeId: "lab/lab-1/cinder-volumes/data-0123abcd", name: "snap-4567cdef", uuid: "4567cdef-0000-5000-8000-000000000000", description: "d" };

const CASES = [
  ...["backend", "name", "uuid", "description", "host", "sourceSnapshotId", "sourceVolumeId"].map((property) => ({
    resource: "Volume" as const,
    base: VOLUME,
    property,
  })),
  ...["volumeId", "name", "uuid", "description"].map((property) => ({ resource: "Snapshot" as const, base: SNAPSHOT, property })),
  { resource: "Volume" as const, base: VOLUME, property: "labels.key" },
];

describe.each(CASES)("$resource.$property", ({ resource, base, property }) => {
  it("refuses each hostile string on that property, or keeps it verbatim", async () => {
    const problems: string[] = [];
    for (const value of HOSTILE) {
      const inputs: Record<string, unknown> = property === "labels.key" ? { ...base, labels: { key: value } } : { ...base, [property]: value };
      const result = await providers[resource].check!({}, inputs);
      const failures = result.failures ?? [];
      const shown = JSON.stringify(value).slice(0, 40);
      if (failures.length === 0) {
        const checked = (result.inputs ?? {}) as Record<string, unknown>;
        const kept = property === "labels.key" ? (checked.labels as Record<string, unknown> | undefined)?.key : checked[property];
        if (kept !== value) problems.push(`${shown}: accepted but stored as ${JSON.stringify(kept)}`);
      } else if (!failures.some((failure) => failure.property === property || (property === "labels.key" && failure.property.startsWith("labels")))) {
        problems.push(`${shown}: refused on ${failures.map((failure) => failure.property).join(", ")}, not ${property}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
