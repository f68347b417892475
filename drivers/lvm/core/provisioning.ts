import { InvalidInput } from "../../interface/errors";
import type { Provisioning } from "../../interface/types";
import type { LvcreateRequest } from "../commands/lvcreate";
import type { LvmBackendConfig } from "../config";
import type { ReadyHost } from "./hosts";
import { checkDeviceNames } from "../model/names";

/**
 * Refuses an LV name whose device-mapper names would not fit on `host`'s volume group, or on
 * any host's when the scheduler has yet to choose: before placement, so nothing is made.
 */
export function checkNameOnHosts(config: LvmBackendConfig, lvName: string, host: string | undefined): void {
  for (const each of config.hosts) {
    if (host === undefined || each.name === host) checkDeviceNames(each.volumeGroup ?? config.volumeGroup, lvName);
  }
}

/** The provisioning a new volume on `ready` gets: the one asked for, else thin when the host has a pool. */
export function provisioningFor(backend: string, config: LvmBackendConfig, ready: ReadyHost, wanted: Provisioning | undefined): Provisioning {
  const provisioning = wanted ?? (ready.pool ? "thin" : "thick");
  if (provisioning === "thin" && !ready.pool) {
    throw new InvalidInput(
      `host ${ready.lvm.name} of backend ${backend} has no thin pool (lvmType ${config.lvmType}); ask for a thick volume or set lvmType to "thin"`,
    );
  }
  return provisioning;
}

export function newLv(ready: ReadyHost, provisioning: Provisioning, name: string, sizeBytes: number, tags: string[]): LvcreateRequest {
  return provisioning === "thin" && ready.pool ? { kind: "thin", name, pool: ready.pool, sizeBytes, tags } : { kind: "thick", name, sizeBytes, tags };
}
