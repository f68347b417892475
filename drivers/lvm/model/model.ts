import { GIB } from "../../interface/capacity";
import { InvalidInput } from "../../interface/errors";
import type { Provisioning, Snapshot, Volume, VolumeSource, VolumeSpec } from "../../interface/types";
import { formatId } from "./ids";
import { defaultLvName, escapeLvName, gatePath, unescapeLvName } from "./names";
import type { LvRow } from "./report";
import { checkDescription, checkLabels, checkUuid, decodeTags, type CinderblockTags } from "./tags";

/** The largest volume cinderblock creates: 64 TiB. */
const MAX_GIB = 65536;

export interface HostPlace {
  backend: string;
  host: string;
  volumeGroup: string;
}

export function provisioningOf(lv: LvRow): Provisioning {
  return lv.pool ? "thin" : "thick";
}

/** Whole GiB of an LV, rounded up (Cinder's rule for sizes read from the backend). */
export function gibOf(lv: LvRow): number {
  return Math.ceil(lv.sizeBytes / GIB);
}

export function checkSizeGib(sizeGib: number, what = "sizeGb"): void {
  if (!Number.isInteger(sizeGib) || sizeGib < 1 || sizeGib > MAX_GIB) {
    throw new InvalidInput(`${what} must be a whole number of GiB from 1 to ${MAX_GIB}, not ${sizeGib}`);
  }
}

/** Validates a volume spec before any command is built; returns the LV name to use. */
export function checkVolumeSpec(spec: VolumeSpec): string {
  checkUuid(spec.uuid);
  checkSizeGib(spec.sizeGib);
  if (spec.labels) checkLabels(spec.labels);
  if (spec.description) checkDescription(spec.description);
  return spec.name === undefined ? defaultLvName("volume", spec.uuid) : escapeLvName(spec.name);
}

/** The tags an LV must carry to be a cinderblock volume or snapshot, and its lifecycle state. */
export function ownTags(lv: LvRow): CinderblockTags | undefined {
  return decodeTags(lv.tags);
}

/** An LV whose multi-step creation has not finished (a copy, say) carries this tag. */
export const INCOMPLETE_TAG = "cb.incomplete";
/**
 * Set before a volume's gate is removed for deletion, so that another process recovering
 * gates does not recreate the gate under a delete in progress.
 */
export const DELETING_TAG = "cb.deleting";

/** Neither half-made nor half-deleted: an LV that lookups, listings and gate recovery consider. */
export function isLive(lv: LvRow): boolean {
  return !lv.tags.includes(INCOMPLETE_TAG) && !lv.tags.includes(DELETING_TAG);
}

function parseSource(place: HostPlace, value: string | undefined): VolumeSource | undefined {
  const match = value ? /^(snapshot|volume)\/(.+)$/.exec(value) : null;
  return match ? { kind: match[1] as VolumeSource["kind"], id: formatId({ ...place, lvName: match[2] ?? "" }) } : undefined;
}

export function toVolume(place: HostPlace, lv: LvRow, tags: CinderblockTags): Volume {
  return {
    id: formatId({ ...place, lvName: lv.name }),
    uuid: tags.uuid,
    name: unescapeLvName(lv.name),
    backend: place.backend,
    host: place.host,
    volumeGroup: place.volumeGroup,
    lvName: lv.name,
    devicePath: gatePath(place.volumeGroup, lv.name),
    sizeGib: gibOf(lv),
    sizeBytes: lv.sizeBytes,
    // Every write leaves the gate mapping the whole LV; reads measure it (gates.ts, deviceSizeBytes).
    deviceSizeBytes: lv.sizeBytes,
    provisioning: provisioningOf(lv),
    createdAt: lv.createdAt,
    description: tags.description,
    labels: tags.labels,
    source: parseSource(place, tags.source),
  };
}

/** A snapshot LV's size is its origin's size when it was taken (thin and thick alike). */
export function toSnapshot(place: HostPlace, lv: LvRow, tags: CinderblockTags): Snapshot {
  const volumeLv = tags.volume ?? lv.origin ?? "";
  const sizeBytes = lv.sizeBytes;
  return {
    id: formatId({ ...place, lvName: lv.name }),
    uuid: tags.uuid,
    name: unescapeLvName(lv.name),
    volumeId: formatId({ ...place, lvName: volumeLv }),
    backend: place.backend,
    host: place.host,
    volumeGroup: place.volumeGroup,
    lvName: lv.name,
    sizeGib: Math.ceil(sizeBytes / GIB),
    sizeBytes,
    provisioning: provisioningOf(lv),
    createdAt: lv.createdAt,
    description: tags.description,
  };
}
