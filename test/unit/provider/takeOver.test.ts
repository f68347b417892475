import { createNotingTakeOver, leaveToTakeOver } from "../../../provider/takeOver";

/** A backend holding ids, whose create is idempotent (it returns what is already there), like the drivers'. */
function backend(...held: string[]) {
  const ids = new Set(held);
  return {
    ids,
    exists: (id: string) => async () => ids.has(id),
    create: (id: string) => async () => (ids.add(id), { id }),
  };
}

describe("a create that finds its object already in place (`pulumi up --replace`)", () => {
  it("leaves that object to the replacement on the one delete of its id that follows", async () => {
    const host = backend("lab/lab-1/vg/data-1");
    await createNotingTakeOver(host.exists("lab/lab-1/vg/data-1"), host.create("lab/lab-1/vg/data-1"));
    expect(leaveToTakeOver("lab/lab-1/vg/data-1", "volume")).toBe(true);
    // Only that one: the replacement's own delete, later, deletes.
    expect(leaveToTakeOver("lab/lab-1/vg/data-1", "volume")).toBe(false);
  });

  it("notes nothing when the create made something new, so its delete deletes", async () => {
    const host = backend();
    await createNotingTakeOver(host.exists("lab/lab-1/vg/data-2"), host.create("lab/lab-1/vg/data-2"));
    expect(host.ids.has("lab/lab-1/vg/data-2")).toBe(true);
    expect(leaveToTakeOver("lab/lab-1/vg/data-2", "volume")).toBe(false);
  });

  it("creates when the hosts cannot be listed, noting nothing", async () => {
    const host = backend();
    const unlisted = async (): Promise<boolean> => {
      throw new Error("host unreachable");
    };
    expect(await createNotingTakeOver(unlisted, host.create("lab/lab-1/vg/data-4"))).toEqual({ id: "lab/lab-1/vg/data-4" });
    expect(leaveToTakeOver("lab/lab-1/vg/data-4", "volume")).toBe(false);
  });

  it("notes nothing when the create fails", async () => {
    const failing = async (): Promise<{ id: string }> => {
      throw new Error("no space");
    };
    await expect(createNotingTakeOver(async () => true, failing)).rejects.toThrow("no space");
    expect(leaveToTakeOver("lab/lab-1/vg/data-3", "volume")).toBe(false);
  });
});
