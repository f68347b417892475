import { programOf, TransportCounters } from "../../../../drivers/ssh/stats";

describe("what the transport counts per program", () => {
  it("names lvm and qemu-img with their subcommand, an inline script by its name, a prlimit wrapper by what it limits", () => {
    expect(programOf(["lvm", "fullreport"])).toBe("lvm fullreport");
    expect(programOf(["qemu-img", "convert", "-p"])).toBe("qemu-img convert");
    expect(programOf(["prlimit", "--cpu=60", "--as=1073741824", "qemu-img", "info", "--output=json"])).toBe("qemu-img info");
    expect(programOf(["sh", "-c", "echo", "image-stage", "path"])).toBe("image-stage");
    expect(programOf(["dd", "if=/dev/zero"])).toBe("dd");
  });

  it("sums each program's command time, so a benchmark can say where an operation's time went", () => {
    const counters = new TransportCounters();
    const stats = counters.for("host-1");
    stats.command(["qemu-img", "info"], "session", 120);
    stats.command(["qemu-img", "info"], "session", 80);
    stats.command(["dd"], "exec", 5);
    expect(counters.snapshot()["host-1"]).toMatchObject({
      commands: 3,
      byProgram: { "qemu-img info": 2, dd: 1 },
      msByProgram: { "qemu-img info": 200, dd: 5 },
    });
  });
});
