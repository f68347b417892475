import { lvcreate } from "../commands/lvcreate";
import { findLv, readLv } from "../commands/lvs";
import type { LvmBackend } from "./backend";
import type { ReadyHost } from "./hosts";
import { removeSnapshotLv, snapshotRequest } from "./snapshotLvs";
import { ownTags } from "../model/model";
import { lvMapperPath } from "../model/names";
import type { LvRow } from "../model/report";
import { encodeTags } from "../model/tags";

/**
 * Runs `work` on a temporary snapshot of `origin` (given its device path), so that it reads a
 * consistent copy while the origin stays in use. The snapshot is tagged as a temp of
 * `forUuid` and removed whatever happens; one a crash left behind (same name, same
 * `forUuid`) is removed first.
 */
export async function withTempSnapshot<T>(b: LvmBackend, ready: ReadyHost, origin: LvRow, forUuid: string, work: (device: string) => Promise<T>): Promise<T> {
  const name = `cbtmp-${forUuid}`.slice(0, 55);
  const leftover = await findLv(ready.lvm, name);
  if (leftover && ownTags(leftover)?.tempFor === forUuid) await removeSnapshotLv(b, ready, leftover);
  const tags = encodeTags({ kind: "temp", uuid: `tmp-${forUuid}`.slice(0, 64), labels: {}, tempFor: forUuid, volume: origin.name });
  await lvcreate(ready.lvm, await snapshotRequest(b, ready, origin, name, tags, true));
  try {
    return await work(lvMapperPath(ready.lvm.volumeGroup, name));
  } finally {
    const temp = await readLv(ready.lvm, name);
    if (temp) await removeSnapshotLv(b, ready, temp);
  }
}
