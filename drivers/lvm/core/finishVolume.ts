import { VolumeNotFound } from "../../interface/errors";
import type { Volume } from "../../interface/types";
import type { LvmBackend } from "./backend";
import { isLvmNotFound } from "./errors";
import type { ReadyHost } from "./hosts";
import { requireOwn } from "./lookups";
import { writeLv, type ThinCheck } from "./lvWrite";
import { toVolume } from "../model/model";
import type { LvRow } from "../model/report";

/**
 * The last step of every volume write: runs `writes` (LVM commands, in order) and makes the
 * volume's gate match its LV in one remote step (after `thinCheck`, for a thin create), and
 * returns the volume as the host reports it afterwards.
 */
export async function finishVolume(
  b: LvmBackend,
  ready: ReadyHost,
  lvName: string,
  writes: readonly (readonly string[] | undefined)[] = [],
  thinCheck?: ThinCheck,
): Promise<Volume> {
  const id = b.idOf(ready, lvName);
  let lv: LvRow;
  try {
    lv = await writeLv(ready.lvm, lvName, { writes: writes.filter((write) => write !== undefined), gate: true, thinCheck });
  } catch (error) {
    if (isLvmNotFound(error)) throw new VolumeNotFound(id, "it vanished while being set up");
    throw error;
  } finally {
    b.invalidateStats();
  }
  return toVolume(b.placeOf(ready), lv, requireOwn(id, lv, "volume"));
}
