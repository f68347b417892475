import { backendOf, ManageExistingMismatch, ManageExistingVolumeTypeMismatch, type ManageDifference, type Snapshot, type Volume } from "../drivers";
import { backends } from "./config";
import type { RawProperties } from "./validation";
import type { SnapshotInputs, VolumeInputs } from "./schemas";

/**
 * `adopt: true` on a Volume or Snapshot: create takes the existing LV named `name` (tags it,
 * gives a volume its gate) instead of making one. The driver first checks that the LV is what
 * the program declares and refuses otherwise, changing nothing; this module words its refusal
 * in the program's terms. `adopt` never replaces a resource: it only decides how create works.
 */

function programTerms(difference: ManageDifference): string {
  switch (difference.property) {
    case "sizeGib":
      return `sizeGb: the LV is ${difference.existing} GiB (rounded up), the program declares ${difference.declared}`;
    case "provisioning":
      return `thin: the LV is ${difference.existing}, the program declares thin: ${difference.declared === "thin"}`;
    case "volumeId":
      return `volumeId: the LV is a snapshot of ${difference.existing}, the program declares ${difference.declared}`;
  }
}

/** A mismatch reworded for the program; any other error as it came. */
export function inProgramTerms(error: unknown, what: string): unknown {
  if (!(error instanceof ManageExistingMismatch)) return error;
  return new ManageExistingVolumeTypeMismatch(
    `cannot adopt ${what} (${error.reference}): it differs from the program: ${error.differences.map(programTerms).join("; ")}. ` +
      "Nothing was changed; declare what the LV is, or drop adopt to create a new one",
    { cause: error },
  );
}

export async function adoptVolume(inputs: VolumeInputs): Promise<Volume> {
  const driver = await (await backends()).withCapability(inputs.backend, "manage");
  try {
    return await driver.manageExisting(
      {
        uuid: inputs.uuid,
        name: inputs.name,
        description: inputs.description,
        labels: inputs.labels,
        sizeGib: inputs.sizeGb,
        provisioning: inputs.thin === undefined ? undefined : inputs.thin ? "thin" : "thick",
      },
      { sourceName: inputs.name, host: inputs.host },
    );
  } catch (error) {
    throw inProgramTerms(error, `LV ${inputs.name}`);
  }
}

export async function adoptSnapshot(inputs: SnapshotInputs): Promise<Snapshot> {
  const driver = await (await backends()).withCapability(backendOf(inputs.volumeId), "manageSnapshots");
  try {
    return await driver.manageExistingSnapshot(
      { uuid: inputs.uuid, name: inputs.name, description: inputs.description, volumeId: inputs.volumeId },
      { sourceName: inputs.name },
    );
  } catch (error) {
    throw inProgramTerms(error, `snapshot LV ${inputs.name}`);
  }
}

/** Outputs extend inputs: they echo `adopt` as the program set it (or as stored, on refresh). */
export function withAdopt<T extends { adopt?: boolean | undefined }>(outputs: T, from: RawProperties | undefined): T {
  return typeof from?.adopt === "boolean" ? { ...outputs, adopt: from.adopt } : outputs;
}
