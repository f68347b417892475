import { lvmBackendSchema } from "../../../../drivers/lvm/config";

const backend = (imageConversionDir?: string) => ({
  driver: "lvm",
  hosts: [{ name: "lab-1", address: "lab1.example", privateKeyPath: "/k", hostKey: "ssh-ed25519 AAAA" }],
  ...(imageConversionDir === undefined ? {} : { imageConversionDir }),
});

describe("imageConversionDir", () => {
  it("defaults to /var/tmp/cinderblock, like Cinder's conversion dir under its state path", () => {
    expect(lvmBackendSchema.parse(backend()).imageConversionDir).toBe("/var/tmp/cinderblock");
    expect(lvmBackendSchema.parse(backend("/srv/conversion")).imageConversionDir).toBe("/srv/conversion");
  });

  it.each([
    ["a relative path", "var/tmp/x", /absolute path/],
    ["a path with ..", "/var/tmp/../etc", /must not contain '\.\.'/],
    ["a path with a space", "/var/tmp/a b", /absolute path of letters/],
  ])("refuses %s", (_case, dir, message) => {
    const result = lvmBackendSchema.safeParse(backend(dir));
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join(" ")).toMatch(message);
  });
});
