import { InvalidInput } from "../../interface/errors";
import { checkLvName, checkVgName } from "./names";

/** Where an object lives; the id spells it out, so nothing needs a lookup table. */
export interface LvLocation {
  backend: string;
  host: string;
  volumeGroup: string;
  lvName: string;
}

const PART = /^[A-Za-z0-9+_.-]+$/;

export function formatId(location: LvLocation): string {
  return [location.backend, location.host, location.volumeGroup, location.lvName].join("/");
}

/** Parses `backend/host/vg/lv`; every part is validated, so the result is safe in a command. */
export function parseId(id: string, kind = "volume"): LvLocation {
  const parts = id.split("/");
  const [backend, host, volumeGroup, lvName] = parts;
  const valid = parts.every((part) => PART.test(part) && part !== "." && part !== "..");
  if (parts.length !== 4 || !backend || !host || !volumeGroup || !lvName || !valid) {
    throw new InvalidInput(`'${id.slice(0, 120)}' is not a ${kind} id (expected backend/host/volume-group/lv)`);
  }
  checkVgName(volumeGroup);
  checkLvName(lvName);
  return { backend, host, volumeGroup, lvName };
}
