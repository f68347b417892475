import type { ExistingRef, ManageableSnapshot, ManageableVolume } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { gibOf, provisioningOf } from "../model/model";
import { assessSnapshot, assessVolume, isSnapshotLike, isVolumeCandidate, plainName, type Assessment } from "./assess";
import { idOf, matchesOf, parseRef, scanHosts, type HostScan } from "./refs";
import type { LvRow } from "../model/report";

/**
 * The manageable listings of the LVM driver: one `lvs -a` report per host (Cinder's LVM driver
 * runs two or three more commands per LV), every LV judged by manageAssess.ts.
 */

function entry(b: LvmBackend, scan: HostScan, lv: LvRow, assessment: Assessment): ManageableVolume {
  const [problem] = assessment.problems;
  return {
    reference: { sourceName: plainName(lv), host: scan.ready.lvm.name },
    id: idOf(b, scan, plainName(lv)),
    sizeGib: gibOf(lv),
    sizeBytes: lv.sizeBytes,
    provisioning: provisioningOf(lv),
    safeToManage: problem === undefined,
    ...(problem && { reasonNotSafe: assessment.problems.map((p) => p.reason).join("; ") }),
    ...(assessment.cinderId && { cinderId: assessment.cinderId }),
    ...(assessment.notes.length > 0 && { extraInfo: assessment.notes.join("; ") }),
  };
}

/** The hosts' reports, narrowed to the LVs `ref` names when given. */
async function scan(b: LvmBackend, ref: ExistingRef | undefined): Promise<Array<HostScan & { lv: LvRow }>> {
  const target = ref && parseRef(b.name, ref);
  const scans = await scanHosts(b, target);
  return target ? matchesOf(scans, target.lvName) : scans.flatMap((one) => one.lvs.map((lv) => ({ ...one, lv })));
}

export async function getManageableVolumes(b: LvmBackend, ref?: ExistingRef): Promise<ManageableVolume[]> {
  const rows = await scan(b, ref);
  return rows.filter(({ lv }) => isVolumeCandidate(lv)).map((row) => entry(b, row, row.lv, assessVolume(row.lv, row.lvs, row.ready.pool)));
}

export async function getManageableSnapshots(b: LvmBackend, ref?: ExistingRef): Promise<ManageableSnapshot[]> {
  const rows = await scan(b, ref);
  return rows
    .filter(({ lv }) => isSnapshotLike(lv))
    .map((row) => ({
      ...entry(b, row, row.lv, assessSnapshot(row.lv, row.lvs)),
      sourceReference: { sourceName: row.lv.origin ?? "", host: row.ready.lvm.name },
    }));
}
