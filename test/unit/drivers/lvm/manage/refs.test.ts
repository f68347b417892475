import { ManageExistingInvalidReference } from "../../../../../drivers/interface/errors";
import { parseRef } from "../../../../../drivers/lvm/manage/refs";

describe("parseRef: references to existing LVs", () => {
  it("takes an LV name, with or without a host", () => {
    expect(parseRef("lab", { sourceName: "data" })).toEqual({ lvName: "data", host: undefined, volumeGroup: undefined });
    expect(parseRef("lab", { sourceName: "data", host: "lab-1" })).toEqual({ lvName: "data", host: "lab-1", volumeGroup: undefined });
  });

  it("maps a name LVM reserves to its escaped LV, and takes the escaped LV itself", () => {
    expect(parseRef("lab", { sourceName: "snapshot-1" }).lvName).toBe("_snapshot-1");
    expect(parseRef("lab", { sourceName: "_snapshot-1" }).lvName).toBe("_snapshot-1");
  });

  it("takes /dev/<vg>/<lv> and /dev/mapper paths, undoubling the dashes device-mapper doubles", () => {
    expect(parseRef("lab", { sourcePath: "/dev/cinder-volumes/my-data" })).toEqual({ lvName: "my-data", host: undefined, volumeGroup: "cinder-volumes" });
    expect(parseRef("lab", { sourcePath: "/dev/mapper/cinder--volumes-my--data", host: "lab-2" })).toEqual({
      lvName: "my-data",
      host: "lab-2",
      volumeGroup: "cinder-volumes",
    });
  });

  it("takes an id, which names backend, host, volume group and LV", () => {
    expect(parseRef("lab", { sourceId: "lab/lab-1/cinder-volumes/data" })).toEqual({ lvName: "data", host: "lab-1", volumeGroup: "cinder-volumes" });
  });

  it.each<[string, Parameters<typeof parseRef>[1], RegExp]>([
    ["nothing", {}, /exactly one of sourceName, sourcePath or sourceId \(got none\)/],
    ["two kinds of reference", { sourceName: "a", sourceId: "lab/lab-1/vg/a" }, /exactly one .* \(got sourceName, sourceId\)/],
    ["an id of another backend", { sourceId: "prod/store-1/vg/a" }, /belongs to backend 'prod', not 'lab'/],
    ["an id on another host than the one given", { sourceId: "lab/lab-1/vg/a", host: "lab-2" }, /is on host lab-1, not lab-2/],
    ["a malformed id", { sourceId: "lab/a" }, /sourceId: 'lab\/a' is not a volume or snapshot id/],
    ["a path outside /dev", { sourcePath: "/etc/passwd" }, /not \/dev\/<vg>\/<lv> or \/dev\/mapper\/<vg>-<lv>/],
    ["a path with a shell command", { sourcePath: "/dev/vg/$(reboot)" }, /may contain only letters, digits/],
    ["a name with a space", { sourceName: "my data" }, /may contain only letters, digits/],
    ["a name starting with a dash", { sourceName: "-rf" }, /must not start with '-'/],
  ])("refuses %s as an invalid reference", (_what, ref, message) => {
    expect(() => parseRef("lab", ref)).toThrow(ManageExistingInvalidReference);
    expect(() => parseRef("lab", ref)).toThrow(message);
  });
});
