import type { Backends } from "../../drivers";
import type { DriverWith } from "../../drivers/interface/capabilities";
import type { LvmBackendInput } from "../../drivers/lvm/config";
import { openLabDriver } from "./driverSupport";
import { hostLvs, onHostOk, type HostLv } from "./support";

export type GroupLabDriver = DriverWith<"core" | "dataAccess" | "groups">;

/** A driver on the lab's first host that also does consistency groups (`options` as for openLabDriver). */
export async function openGroupDriver(
  name = "lab",
  options: Partial<Omit<LvmBackendInput, "hosts" | "driver">> = {},
): Promise<{ backends: Backends; driver: GroupLabDriver }> {
  const { backends } = await openLabDriver(name, options);
  return { backends, driver: (await backends.withCapability(name, "groups")) as GroupLabDriver };
}

/** The lab host's gates (`cbgate-*`) and whether each is suspended, as dmsetup reports them. */
export async function gateStates(): Promise<Map<string, "Active" | "Suspended">> {
  const out = await onHostOk("dmsetup info -c --noheadings --separator '|' -o name,suspended 2>/dev/null || true");
  const states = new Map<string, "Active" | "Suspended">();
  for (const line of out.split("\n")) {
    const [name, state] = line.trim().split("|");
    if (name?.startsWith("cbgate-") && (state === "Active" || state === "Suspended")) states.set(name, state);
  }
  return states;
}

/** Every LV of the lab host that carries the tag `tag` (or a tag starting with `tag=` when it has no `=`). */
export async function lvsTagged(tag: string): Promise<HostLv[]> {
  return (await hostLvs()).filter((lv) => lv.tags.some((candidate) => candidate === tag || candidate.startsWith(`${tag}=`)));
}
