import { InvalidConfiguration } from "../../interface/errors";
import { isLvmNotFound } from "../errors";
import type { LvmHost } from "../host";
import { parseVgs, VG_FIELDS, type VgRow } from "../report";

export async function getVg(host: LvmHost): Promise<VgRow> {
  try {
    const result = await host.lvm(["vgs", "--reportformat", "json", "--units", "b", "--nosuffix", "-o", VG_FIELDS.join(","), host.volumeGroup]);
    const vg = parseVgs(result.stdout)[0];
    if (vg) return vg;
  } catch (error) {
    if (!isLvmNotFound(error)) throw error;
  }
  throw new InvalidConfiguration(
    `volume group '${host.volumeGroup}' does not exist on ${host.name}; create it (vgcreate ${host.volumeGroup} <disk>) or fix volumeGroup in the backend configuration`,
  );
}
