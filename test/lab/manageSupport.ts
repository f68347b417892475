import { gateName } from "../../drivers/lvm/model/names";
import { labConfig, onHost, onHostOk } from "./support";

/**
 * LVs made by hand on the lab host, as an operator would make them before cinderblock existed:
 * plain lvcreate and dd over the system ssh client, never through cinderblock's code.
 */

export const VG = (): string => labConfig().backends.lab.volumeGroup;
/** The thin pool cinderblock's lab backend creates and uses (`<vg>-pool`). */
export const POOL = (): string => `${VG()}-pool`;
export const dev = (lv: string): string => `/dev/${VG()}/${lv}`;

/** Runs lvcreate and friends, one after the other; the first failure fails the test. */
export async function byHand(...commands: string[]): Promise<void> {
  await onHostOk(commands.join(" && "));
}

/** Writes `mib` MiB of random data at the start of an LV, as data an operator already has there. */
export async function fillRandom(lv: string, mib: number): Promise<void> {
  await onHostOk(`dd if=/dev/urandom of=${dev(lv)} bs=1M count=${mib} oflag=direct conv=fsync status=none`);
}

/** SHA-256 of the first `mib` MiB of a device, computed on the host. */
export async function sha256(device: string, mib: number): Promise<string> {
  const out = await onHostOk(`dd if=${device} bs=1M count=${mib} iflag=direct status=none | sha256sum`);
  return out.split(/\s+/)[0] ?? "";
}

/** Removes hand-made LVs (and any gate cinderblock left over them), whatever state a failed test left. */
export async function removeByHand(...lvs: string[]): Promise<void> {
  const script = lvs.map((lv) => `dmsetup remove ${gateName(VG(), lv)} 2>/dev/null; lvremove -q -y ${VG()}/${lv} >/dev/null 2>&1`).join("; ");
  await onHost(`${script}; true`);
}

/** The tags of an LV as LVM reports them. */
export async function tagsOf(lv: string): Promise<string[]> {
  const out = await onHostOk(`lvs --noheadings -o lv_tags ${VG()}/${lv}`);
  return out.trim().split(",").filter(Boolean).sort();
}
