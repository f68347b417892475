import { homedir } from "node:os";
import { join } from "node:path";

/** Where images and running labs live: outside the repository, shared by every checkout. */
export function cacheRoot(): string {
  if (process.env.CINDERBLOCK_CACHE) return process.env.CINDERBLOCK_CACHE;
  const xdg = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(xdg, "cinderblock");
}

export const imagesDir = (): string => join(cacheRoot(), "images");
/** A separate lab (its own hosts) per `CINDERBLOCK_LAB_DIR`; the image cache stays shared. */
export const labDir = (): string => process.env.CINDERBLOCK_LAB_DIR || join(cacheRoot(), "lab");
export const labStatePath = (): string => join(labDir(), "lab.json");
export const labConfigPath = (): string => join(labDir(), "backends.json");
export const labKeyPath = (): string => join(labDir(), "id_ed25519");
export const hostDir = (name: string): string => join(labDir(), "hosts", name);
export const accelDecisionPath = (): string => join(cacheRoot(), "accel.json");
