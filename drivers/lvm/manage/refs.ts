import { isDriverError, ManageExistingInvalidReference } from "../../interface/errors";
import type { ExistingRef } from "../../interface/types";
import type { LvmBackend } from "../core/backend";
import { listLvs } from "../commands/lvs";
import type { HostAccess, ReadyHost } from "../core/hosts";
import { parseId } from "../model/ids";
import { ownTags } from "../model/model";
import { checkLvName, checkVgName, escapeReserved } from "../model/names";
import type { LvRow } from "../model/report";
import { plainName } from "./assess";
import type { LvKind } from "../model/tags";
import { guard } from "../core/errors";

/** Where a reference points: an LV name, and the host and volume group when the reference says. */
export interface RefTarget {
  lvName: string;
  host: string | undefined;
  volumeGroup: string | undefined;
}

/** One host's LVs, hidden ones included, from one `lvs -a` report. */
export interface HostScan {
  ready: ReadyHost;
  lvs: LvRow[];
}

/** An LV found by reference, with the rest of its host's report (its origin, its snapshots). */
export interface RefMatch extends HostScan {
  lv: LvRow;
}

const invalid = (message: string): ManageExistingInvalidReference => new ManageExistingInvalidReference(message);

/** `/dev/mapper/<vg>-<lv>` with each dash inside a name doubled. */
const MAPPER_PATH = /^\/dev\/mapper\/((?:[^-/]|--)+)-((?:[^-/]|--)+)$/;
const DEV_PATH = /^\/dev\/([^/]+)\/([^/]+)$/;

function checked<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw isDriverError(error) ? invalid(`${what}: ${error.message}`) : error;
  }
}

/** Reads a reference, validating every part before it can reach a command line. */
export function parseRef(backend: string, ref: ExistingRef): RefTarget {
  const given = (["sourceName", "sourcePath", "sourceId"] as const).filter((key) => ref[key] !== undefined && ref[key] !== "");
  if (given.length !== 1) throw invalid(`a reference needs exactly one of sourceName, sourcePath or sourceId (got ${given.join(", ") || "none"})`);
  let target: RefTarget;
  if (ref.sourceId !== undefined) {
    const location = checked("sourceId", () => parseId(ref.sourceId ?? "", "volume or snapshot"));
    if (location.backend !== backend) throw invalid(`${ref.sourceId} belongs to backend '${location.backend}', not '${backend}'`);
    if (ref.host !== undefined && ref.host !== location.host) throw invalid(`${ref.sourceId} is on host ${location.host}, not ${ref.host}`);
    target = { lvName: location.lvName, host: location.host, volumeGroup: location.volumeGroup };
  } else if (ref.sourcePath !== undefined) {
    const path = ref.sourcePath;
    const match = MAPPER_PATH.exec(path) ?? DEV_PATH.exec(path);
    const [volumeGroup, lvName] = [match?.[1], match?.[2]].map((part) => (path.startsWith("/dev/mapper/") ? part?.replace(/--/g, "-") : part));
    if (!volumeGroup || !lvName) throw invalid(`sourcePath '${path.slice(0, 120)}' is not /dev/<vg>/<lv> or /dev/mapper/<vg>-<lv>`);
    checked("sourcePath", () => checkVgName(volumeGroup));
    target = { lvName, host: ref.host, volumeGroup };
  } else {
    target = { lvName: ref.sourceName ?? "", host: ref.host, volumeGroup: undefined };
  }
  // LVM refuses LV names starting with its reserved prefixes, so such a name can only mean its escaped LV.
  const lvName = escapeReserved(target.lvName);
  checked("the reference's LV name", () => checkLvName(lvName));
  return { ...target, lvName };
}

/** Lists the given hosts (all of the backend's when none is named); an unreachable host fails the call. Listing alone is a read. */
export async function scanHosts(
  b: LvmBackend,
  target: Pick<RefTarget, "host" | "volumeGroup"> = { host: undefined, volumeGroup: undefined },
  access: HostAccess = "read",
): Promise<HostScan[]> {
  const names = target.host !== undefined ? [target.host] : b.hosts.names;
  const scans = await Promise.all(
    names.map(async (name) => {
      const ready = await b.hosts.reach(name, access);
      if (target.volumeGroup !== undefined && target.volumeGroup !== ready.lvm.volumeGroup) {
        if (target.host !== undefined) throw invalid(`host ${name} of backend ${b.name} uses volume group ${ready.lvm.volumeGroup}, not ${target.volumeGroup}`);
        return undefined;
      }
      return { ready, lvs: await guard(`listing ${name}`, () => listLvs(ready.lvm, { all: true })) };
    }),
  );
  return scans.filter((scan): scan is HostScan => scan !== undefined);
}

/** The LVs a reference names, on every scanned host. */
export function matchesOf(scans: readonly HostScan[], lvName: string): RefMatch[] {
  return scans.flatMap((scan) => scan.lvs.filter((lv) => plainName(lv) === lvName).map((lv) => ({ ...scan, lv })));
}

/** Exactly one LV for a reference. @throws ManageExistingInvalidReference when there is none or more than one */
export function oneMatch(b: LvmBackend, scans: readonly HostScan[], target: RefTarget): RefMatch {
  const matches = matchesOf(scans, target.lvName);
  const where = target.host ?? `any host of backend ${b.name} (${scans.map((scan) => scan.ready.lvm.name).join(", ")})`;
  const [match, ...others] = matches;
  if (!match) throw invalid(`there is no LV named ${target.lvName} on ${where}`);
  if (others.length > 0) {
    throw invalid(`an LV named ${target.lvName} is on several hosts (${matches.map((m) => m.ready.lvm.name).join(", ")}); say which with host`);
  }
  return match;
}

/** The LV that already carries `uuid` as a cinderblock `kind` (an earlier attempt of the same manage). */
export function ownedBy(scans: readonly HostScan[], uuid: string, kind: LvKind): RefMatch | undefined {
  for (const scan of scans) {
    const lv = scan.lvs.find((row) => ownTags(row)?.uuid === uuid && ownTags(row)?.kind === kind);
    if (lv) return { ...scan, lv };
  }
  return undefined;
}

/** The id an LV has (or will have once managed where it is). */
export function idOf(b: LvmBackend, scan: HostScan, lvName: string): string {
  return b.idOf(scan.ready, lvName);
}
