import { NotSupported, type Backends, type ManageableSnapshot, type ManageableVolume } from "../../drivers";
import { resourceTokens } from "../../provider/identity";
import { noPositionals, parse } from "../args";
import { withBackends } from "../backends";
import { printJson, printTable, progress } from "../render";

export const manageableUsage = `cinderblock manageable [--backend B] [--json]     what could be adopted, safe or not and why
cinderblock import-file [--backend B] > import.json  a file for \`pulumi import --file\` with every safe candidate`;

/** One candidate of either kind, as the listing prints it. */
export type Candidate = (ManageableVolume & { kind: "volume" }) | (ManageableSnapshot & { kind: "snapshot" });

/**
 * Every candidate on the chosen backends: one listing per host. Without --backend, every
 * backend whose driver can list (the others are named on stderr).
 */
async function candidates(backends: Backends, wanted: string | undefined): Promise<Candidate[]> {
  const names = wanted ? [wanted] : backends.names;
  const perBackend = await Promise.all(
    names.map(async (name) => {
      const driver = await backends.withCapability(name, "listManageable").catch((error: unknown) => {
        if (wanted || !(error instanceof NotSupported)) throw error;
        progress(`backend ${name} cannot list manageable volumes; skipped`);
        return undefined;
      });
      if (!driver) return [];
      const [volumes, snapshots] = await Promise.all([driver.getManageableVolumes(), driver.getManageableSnapshots()]);
      return [...volumes.map((v) => ({ ...v, kind: "volume" as const })), ...snapshots.map((s) => ({ ...s, kind: "snapshot" as const }))];
    }),
  );
  return perBackend.flat();
}

export async function manageableCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { backend: { type: "string" } });
  noPositionals(positionals);
  await withBackends(values.config, async (backends) => {
    const found = await candidates(backends, values.backend);
    if (values.json) return printJson(found);
    printTable(
      found.map((candidate) => ({
        kind: candidate.kind,
        id: candidate.id,
        size: `${candidate.sizeGib} GiB`,
        type: candidate.provisioning,
        safe: candidate.safeToManage ? "yes" : "no",
        ...(candidate.kind === "snapshot" && { of: candidate.sourceReference.sourceName }),
        why: candidate.reasonNotSafe ?? candidate.extraInfo,
      })),
      ["kind", "id", "size", "type", "safe", "of", "why"],
    );
  });
}

/** An entry of Pulumi's import file (`pulumi import --file`): type token, resource name, id. */
export interface ImportEntry {
  type: string;
  name: string;
  id: string;
}

/**
 * The import file for the safe candidates: volumes (thin snapshots among them, as in Cinder),
 * then thick snapshots. A resource is named after its LV (the volume keeps its LV name and
 * takes the uuid its URN gives it, see provider/native/import.ts); a name that would repeat within a
 * type (the same LV name on two hosts) gets the backend and host appended, in every use.
 */
export function importFile(found: readonly Candidate[]): { resources: ImportEntry[] } {
  const volumeIds = new Set(found.filter((c) => c.kind === "volume").map((c) => c.id));
  const chosen = found.filter((c) => c.safeToManage && (c.kind === "volume" || !volumeIds.has(c.id)));
  const ordered = [...chosen.filter((c) => c.kind === "volume"), ...chosen.filter((c) => c.kind === "snapshot")];
  const nameOf = (c: Candidate): string => c.reference.sourceName;
  const uses = new Map<string, number>();
  for (const c of ordered) uses.set(`${c.kind}:${nameOf(c)}`, (uses.get(`${c.kind}:${nameOf(c)}`) ?? 0) + 1);
  return {
    resources: ordered.map((c) => {
      const name = nameOf(c);
      const unique = (uses.get(`${c.kind}:${name}`) ?? 0) > 1 ? `${name}-${c.id.split("/")[0]}-${c.reference.host}` : name;
      return { type: c.kind === "volume" ? resourceTokens.Volume : resourceTokens.Snapshot, name: unique, id: c.id };
    }),
  };
}

export async function importFileCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { backend: { type: "string" } });
  noPositionals(positionals);
  await withBackends(values.config, async (backends) => {
    const found = await candidates(backends, values.backend);
    const file = importFile(found);
    for (const skipped of found.filter((c) => !c.safeToManage && !c.cinderId)) progress(`skipped ${skipped.kind} ${skipped.id}: ${skipped.reasonNotSafe}`);
    progress(
      `${file.resources.length} resource(s); import them with \`pulumi import --file import.json\` (needs the cinderblock resource plugin; importing tags each LV and touches no data)`,
    );
    printJson(file);
  });
}
