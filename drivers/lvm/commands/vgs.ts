import { InvalidConfiguration } from "../../interface/errors";
import type { LvmHost } from "../core/host";
import type { VgRow } from "../model/report";

/** The host's VG, from its shared report. @throws InvalidConfiguration when it does not exist */
export async function getVg(host: LvmHost): Promise<VgRow> {
  const { vg } = await host.report();
  if (vg) return vg;
  throw new InvalidConfiguration(
    `volume group '${host.volumeGroup}' does not exist on ${host.name}; create it (vgcreate ${host.volumeGroup} <disk>) or fix volumeGroup in the backend configuration`,
  );
}
