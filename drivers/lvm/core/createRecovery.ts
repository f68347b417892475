import { VolumeAlreadyExists } from "../../interface/errors";
import { lvremove } from "../commands/lvremove";
import { listLvs } from "../commands/lvs";
import type { LvmBackend } from "./backend";
import { ensureGate, removeGate } from "./gates";
import type { ReadyHost } from "./hosts";
import type { Found } from "./lookups";
import { removeSnapshotLv } from "./snapshotLvs";
import { isLive, ownTags } from "../model/model";
import type { LvKind } from "../model/tags";

/**
 * Idempotency and crash recovery for creates. The LV `lvName` may already exist: when it is
 * this request's (same uuid) and complete, it is returned; when it is this request's but a
 * crash left it incomplete, it is removed so the create starts over; anything else is a
 * conflict. Temporary LVs of an earlier attempt are removed too.
 */
export async function reuseOrClear(b: LvmBackend, ready: ReadyHost, lvName: string, uuid: string, kind: LvKind): Promise<Found | undefined> {
  const lvs = await listLvs(ready.lvm);
  for (const temp of lvs.filter((lv) => ownTags(lv)?.kind === "temp" && ownTags(lv)?.tempFor === uuid)) {
    await removeSnapshotLv(b, ready, temp);
  }
  const byUuid = lvs.find((lv) => ownTags(lv)?.uuid === uuid && ownTags(lv)?.kind === kind);
  const byName = lvs.find((lv) => lv.name === lvName);
  if (byUuid && byUuid !== byName) {
    throw new VolumeAlreadyExists(`uuid ${uuid} already belongs to ${byUuid.name} on ${ready.lvm.name}`);
  }
  if (!byName) return undefined;
  const tags = ownTags(byName);
  if (!tags || tags.uuid !== uuid || tags.kind !== kind) {
    const owner = tags ? `cinderblock ${tags.kind} ${tags.uuid}` : "not created by cinderblock";
    throw new VolumeAlreadyExists(`an LV named ${lvName} already exists in ${ready.lvm.volumeGroup} on ${ready.lvm.name} (${owner}); choose another name`);
  }
  if (!isLive(byName)) {
    await removeGate(ready.lvm, byName.name, lvName);
    await lvremove(ready.lvm, byName.name);
    return undefined;
  }
  const lv = kind === "volume" ? await ensureGate(ready.lvm, byName) : byName;
  return { ready, lv, tags };
}
