import type { LvcreateRequest } from "../commands/lvcreate";
import { snapshotCowUsedBytes } from "../commands/dmsetup";
import { lvremove } from "../commands/lvremove";
import type { LvmBackend } from "./backend";
import { checkCapacity } from "./capacity";
import type { ReadyHost } from "./hosts";
import { wipe } from "./wipe";
import { provisioningOf } from "../model/model";
import { cowMapperPath, dmNameOf } from "../model/names";
import type { LvRow } from "../model/report";

/**
 * The lvcreate request for a snapshot of `origin`: thin of a thin origin, else thick (its room
 * checked first). One a copy reads (`forCopy`) is made active and, thick, in 512 KiB chunks: a
 * thick snapshot splits every read at its chunks, and through LVM's default 4 KiB ones a copy
 * ran at a quarter of the origin's pace on the lab (a kept snapshot keeps small chunks, which
 * copy less of the origin on its first writes).
 */
export async function snapshotRequest(
  b: LvmBackend,
  ready: ReadyHost,
  origin: LvRow,
  name: string,
  tags: string[],
  forCopy: boolean,
): Promise<LvcreateRequest> {
  if (provisioningOf(origin) === "thin") return { kind: "thinSnapshot", name, origin: origin.name, tags, activate: forCopy };
  // A thick snapshot's copy-on-write area is as large as its origin, as in Cinder: it never overflows.
  await checkCapacity(b.config, ready, "thick", origin.sizeBytes);
  return { kind: "thickSnapshot", name, origin: origin.name, cowBytes: origin.sizeBytes, tags, ...(forCopy ? { chunk: "512k" as const } : {}) };
}

/**
 * Removes a snapshot LV; a thick one's copy-on-write data is wiped first (it holds old origin
 * blocks): only as far as the kernel has filled it when it can say, all of it otherwise.
 */
export async function removeSnapshotLv(b: LvmBackend, ready: ReadyHost, lv: LvRow): Promise<void> {
  if (provisioningOf(lv) === "thick" && lv.attr.volumeType === "snapshot") {
    const vg = ready.lvm.volumeGroup;
    const used = lv.attr.active ? await snapshotCowUsedBytes(ready.lvm, dmNameOf(vg, lv.name)) : undefined;
    await wipe(b.config, ready, lv.name, cowMapperPath(vg, lv.name), used, lv);
  }
  await lvremove(ready.lvm, lv.name);
  b.invalidateStats();
}
