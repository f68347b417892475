import { InvalidInput } from "../../../../../drivers/interface/errors";
import { formatId, parseId, type LvLocation } from "../../../../../drivers/lvm/model/ids";

const LOCATIONS: LvLocation[] = [
  { backend: "lab", host: "lab-1", volumeGroup: "cinder-volumes", lvName: "volume-0d5c6a4e-91b2-4f7e-8c55-2b1f3e9a7d10" },
  { backend: "prod.eu", host: "store_2", volumeGroup: "vg0", lvName: "_snapshot-1" },
  { backend: "b", host: "h", volumeGroup: "v", lvName: "l" },
  { backend: "a+b", host: "10.0.0.7", volumeGroup: "x.y-z", lvName: "A+B_C.D-E" },
];

describe("formatId and parseId", () => {
  it.each(LOCATIONS)("round-trip $backend/$host/$volumeGroup/$lvName", (location) => {
    const id = formatId(location);
    expect(id.split("/")).toHaveLength(4);
    expect(parseId(id)).toEqual(location);
  });

  it.each([
    ["three parts", "lab/lab-1/volume-1"],
    ["five parts", "lab/lab-1/cinder-volumes/volume-1/extra"],
    ["an empty backend", "/lab-1/cinder-volumes/volume-1"],
    ["an empty host", "lab//cinder-volumes/volume-1"],
    ["a trailing slash", "lab/lab-1/cinder-volumes/"],
    ["the empty string", ""],
    ["'..' as the volume group", "lab/lab-1/../volume-1"],
    ["'..' as the LV", "lab/lab-1/cinder-volumes/.."],
    ["'.' as the LV", "lab/lab-1/cinder-volumes/."],
    ["a space", "lab/lab 1/cinder-volumes/volume-1"],
    ["a semicolon", "lab/lab-1/cinder-volumes/volume-1;reboot"],
    ["a command substitution", "lab/lab-1/cinder-volumes/$(reboot)"],
    ["a backtick", "lab/lab-1/cinder-volumes/`id`"],
    ["a newline", "lab/lab-1/cinder-volumes/volume-1\n"],
    ["an LV name starting with '-'", "lab/lab-1/cinder-volumes/-rf"],
    ["an LV name longer than LVM allows here", `lab/lab-1/cinder-volumes/${"v".repeat(56)}`],
    ["a volume group name longer than 32", `lab/lab-1/${"g".repeat(33)}/volume-1`],
  ])("rejects an id with %s as InvalidInput", (_what, id) => {
    expect(() => parseId(id)).toThrow(InvalidInput);
  });

  it("names the kind of id it expected in the error", () => {
    expect(() => parseId("nope", "snapshot")).toThrow("'nope' is not a snapshot id (expected backend/host/volume-group/lv)");
  });
});
