import { main } from "../../../cli/main";
import { requestUuid } from "../../../cli/requestUuid";

/** The CLI side of convergence: a named create's uuid is a function of the request; doctor's help states its exit codes. */
describe("the uuid of a create the CLI sends", () => {
  const request = { backend: "lab", name: "fa-clone", sizeGib: 1, provisioning: "thick", source: "lab/lab-1/vg/src" };

  it("is the same for the identical command run again, so a retry finds what its first attempt left", () => {
    expect(requestUuid(undefined, "volume create", request)).toBe(requestUuid(undefined, "volume create", { ...request }));
    expect(requestUuid(undefined, "volume create", request)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    ["size", { sizeGib: 2 }],
    ["provisioning", { provisioning: "thin" }],
    ["source", { source: "lab/lab-1/vg/other" }],
    ["backend", { backend: "other" }],
    ["labels", { labels: { a: "b" } }],
  ])("differs when the %s differs, so another request with that name is refused as a conflict", (_what, change) => {
    expect(requestUuid(undefined, "volume create", { ...request, ...change })).not.toBe(requestUuid(undefined, "volume create", request));
  });

  it("differs between commands, is --uuid when given, and is random for an unnamed object", () => {
    expect(requestUuid(undefined, "snapshot create", request)).not.toBe(requestUuid(undefined, "volume create", request));
    expect(requestUuid("given-uuid", "volume create", request)).toBe("given-uuid");
    const { name: _name, ...unnamed } = request;
    expect(requestUuid(undefined, "volume create", unnamed)).not.toBe(requestUuid(undefined, "volume create", unnamed));
  });
});

describe("cinderblock doctor --help", () => {
  it("prints its usage with the dry-run default, --fix, --format and the exit statuses, and exits 0", async () => {
    let stdout = "";
    const out = jest.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
    try {
      expect(await main(["doctor", "-h"])).toBe(0);
    } finally {
      out.mockRestore();
    }
    for (const text of ["cinderblock doctor", "--fix", "--format text|json", "Changes nothing unless --fix", "0 nothing found", "1 something found"])
      expect(stdout).toContain(text);
  });

  it("refuses an unknown --format as a usage error (exit 2)", async () => {
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["doctor", "--format", "yaml", "--config", "/nonexistent"])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
