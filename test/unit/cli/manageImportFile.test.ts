import { refOf } from "../../../cli/commands/manage";
import { importFile, type Candidate } from "../../../cli/commands/manageable";

function volume(id: string, changes: Partial<Candidate> = {}): Candidate {
  const [, host = "", , lv = ""] = id.split("/");
  return {
    kind: "volume",
    reference: { sourceName: lv, host },
    id,
    sizeGib: 1,
    sizeBytes: 2 ** 30,
    provisioning: "thick",
    safeToManage: true,
    ...changes,
  } as Candidate;
}

function snapshot(id: string, origin: string, changes: Partial<Candidate> = {}): Candidate {
  const [, host = ""] = id.split("/");
  return { ...volume(id, changes), kind: "snapshot", sourceReference: { sourceName: origin, host } } as Candidate;
}

describe("the import file for `pulumi import --file`", () => {
  it("lists every safe candidate by type token, resource name and id: volumes first, then thick snapshots", () => {
    const file = importFile([
      snapshot("lab/lab-1/cinder-volumes/nightly", "data"),
      volume("lab/lab-1/cinder-volumes/data"),
      volume("lab/lab-1/cinder-volumes/scratch", { provisioning: "thin" }),
    ]);
    expect(file).toEqual({
      resources: [
        { type: "cinderblock:index:Volume", name: "data", id: "lab/lab-1/cinder-volumes/data" },
        { type: "cinderblock:index:Volume", name: "scratch", id: "lab/lab-1/cinder-volumes/scratch" },
        { type: "cinderblock:index:Snapshot", name: "nightly", id: "lab/lab-1/cinder-volumes/nightly" },
      ],
    });
  });

  it("leaves out unsafe and already-managed candidates", () => {
    const file = importFile([
      volume("lab/lab-1/cinder-volumes/cinder-volumes-pool", { safeToManage: false, reasonNotSafe: "a thin pool" }),
      volume("lab/lab-1/cinder-volumes/mine", { safeToManage: false, cinderId: "u-1", reasonNotSafe: "already managed" }),
    ]);
    expect(file.resources).toEqual([]);
  });

  it("imports a thin snapshot once, as the volume it is also listed as (Cinder's convention)", () => {
    const id = "lab/lab-1/cinder-volumes/thin-snap";
    const file = importFile([volume(id, { provisioning: "thin" }), snapshot(id, "thin-origin", { provisioning: "thin" })]);
    expect(file.resources).toEqual([{ type: "cinderblock:index:Volume", name: "thin-snap", id }]);
  });

  it("names LVs that share a name on several hosts after their backend and host, so that names stay unique", () => {
    const file = importFile([volume("lab/lab-1/vg/data"), volume("lab/lab-2/vg/data"), volume("lab/lab-2/vg/other")]);
    expect(file.resources.map((entry) => entry.name)).toEqual(["data-lab-lab-1", "data-lab-lab-2", "other"]);
  });
});

describe("an LV named on the manage command line", () => {
  it("is a path, an id or a name", () => {
    expect(refOf("/dev/cinder-volumes/data", undefined)).toEqual({ sourcePath: "/dev/cinder-volumes/data", host: undefined });
    expect(refOf("lab/lab-1/cinder-volumes/data", undefined)).toEqual({ sourceId: "lab/lab-1/cinder-volumes/data", host: undefined });
    expect(refOf("data", "lab-1")).toEqual({ sourceName: "data", host: "lab-1" });
  });
});
