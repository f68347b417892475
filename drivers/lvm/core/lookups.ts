import { InvalidInput } from "../../interface/errors";
import { findLv, listLvs } from "../commands/lvs";
import type { LvmBackend } from "./backend";
import { guard } from "./errors";
import type { HostAccess, ReadyHost } from "./hosts";
import { parseId, type LvLocation } from "../model/ids";
import { isLive, ownTags } from "../model/model";
import type { LvRow } from "../model/report";
import type { CinderblockTags, LvKind } from "../model/tags";

/** A cinderblock LV found on a host, with its decoded tags. */
export interface Found {
  ready: ReadyHost;
  lv: LvRow;
  tags: CinderblockTags;
}

/** Parses an id and reaches its host (set up for a write); the id must belong to this backend and name its VG. */
export async function locate(b: LvmBackend, id: string, kind: string, access: HostAccess = "write"): Promise<{ location: LvLocation; ready: ReadyHost }> {
  const location = parseId(id, kind);
  if (location.backend !== b.name) throw new InvalidInput(`${kind} ${id} belongs to backend '${location.backend}', not '${b.name}'`);
  const ready = await b.hosts.reach(location.host, access);
  if (ready.lvm.volumeGroup !== location.volumeGroup) {
    throw new InvalidInput(`${kind} ${id} names volume group '${location.volumeGroup}', but ${location.host} uses '${ready.lvm.volumeGroup}'`);
  }
  return { location, ready };
}

/** The LV behind an id, when it exists, is cinderblock's, is of `kind` and is complete. */
export async function lookup(b: LvmBackend, id: string, kind: LvKind, access: HostAccess = "write"): Promise<Found | undefined> {
  const { location, ready } = await locate(b, id, kind, access);
  const lv = await guard(`looking up ${id}`, () => findLv(ready.lvm, location.lvName));
  const tags = lv && ownTags(lv);
  if (!lv || !tags || tags.kind !== kind || !isLive(lv)) return undefined;
  return { ready, lv, tags };
}

/** Every complete cinderblock LV of `kind`, read without setting hosts up. */
export async function listOwn(b: LvmBackend, kind: LvKind): Promise<Found[]> {
  const perHost = await Promise.all(
    b.hosts.names.map(async (name) => {
      const ready = await b.hosts.inspect(name);
      const lvs = await guard(`listing ${name}`, () => listLvs(ready.lvm));
      return lvs.flatMap((lv) => {
        const tags = ownTags(lv);
        return tags && tags.kind === kind && isLive(lv) ? [{ ready, lv, tags }] : [];
      });
    }),
  );
  return perHost.flat();
}

/**
 * The host where an LV with this uuid already is (an earlier attempt of the same create), among
 * the hosts that answer; one listing per host, in parallel.
 */
export async function hostHolding(b: LvmBackend, uuid: string): Promise<string | undefined> {
  const found = await Promise.all(
    b.hosts.names.map(async (host) => {
      try {
        const ready = await b.hosts.ready(host);
        return (await listLvs(ready.lvm)).some((lv) => ownTags(lv)?.uuid === uuid) ? host : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return found.find((host) => host !== undefined);
}

export function requireOwn(id: string, lv: LvRow, kind: LvKind): CinderblockTags {
  const tags = ownTags(lv);
  if (!tags) throw new InvalidInput(`${id} is not managed by cinderblock (it has no cinderblock tags); refusing to touch it`);
  if (tags.kind !== kind) throw new InvalidInput(`${id} is a ${tags.kind}, not a ${kind}`);
  return tags;
}
