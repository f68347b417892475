import { lvremove } from "../../../../../drivers/lvm/commands/lvremove";
import { LvmHost } from "../../../../../drivers/lvm/core/host";
import { CommandError } from "../../../../../drivers/ssh/errors";
import { FakeRunner } from "../../../../fakes/fakeRunner";

const host = (runner: FakeRunner): LvmHost => new LvmHost("fake-1", "vg0", runner);

describe("LVM command retries", () => {
  it("retries an LVM command that segfaults (exit 139) and returns the later success", async () => {
    const runner = new FakeRunner({ lvs: [{ exitCode: 139, stderr: "Segmentation fault" }, { stdout: "ok" }] });
    await expect(host(runner).lvm(["lvs", "vg0"])).resolves.toMatchObject({ stdout: "ok" });
    expect(runner.calls).toHaveLength(2);
  });

  it("gives up after three segfaults and reports the last one", async () => {
    const runner = new FakeRunner({ lvs: { exitCode: 139, stderr: "Segmentation fault" } });
    await expect(host(runner).lvm(["lvs", "vg0"])).rejects.toBeInstanceOf(CommandError);
    expect(runner.calls).toHaveLength(3);
  });

  it("does not retry an ordinary failure", async () => {
    const runner = new FakeRunner({ lvs: { exitCode: 5, stderr: 'Volume group "vg0" not found' } });
    await expect(host(runner).lvm(["lvs", "vg0"])).rejects.toBeInstanceOf(CommandError);
    expect(runner.calls).toHaveLength(1);
  });

  it("settles udev and retries a failed lvremove with suspended devices ignored", async () => {
    const runner = new FakeRunner({
      lvremove: [{ exitCode: 5, stderr: "Logical volume vg0/v1 contains a filesystem in use." }, {}],
      udevadm: {},
    });
    await lvremove(host(runner), "v1");
    expect(runner.calls.map((call) => call[0])).toEqual(["lvremove", "udevadm", "lvremove"]);
    expect(runner.calls[2]).toContain("activation { retry_deactivation = 1 } devices { ignore_suspended_devices = 1 }");
  }, 10_000);
});
