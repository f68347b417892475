import { VolumeBackendAPIException } from "../../../../../drivers/interface/errors";
import { parseWindowOutput, windowArgs, type WindowMember } from "../../../../../drivers/lvm/groups/window";

const members: WindowMember[] = [
  {
    lvName: "db-data",
    gate: "cbgate-cinder--volumes-db--data",
    snapshotName: "n-1",
    create: { kind: "thinSnapshot", name: "n-1", origin: "db-data", tags: ["cinderblock", "cb.incomplete"], activate: false },
  },
  {
    lvName: "db-log",
    gate: "cbgate-cinder--volumes-db--log",
    snapshotName: "n-2",
    create: { kind: "thickSnapshot", name: "n-2", origin: "db-log", cowBytes: 536870912, tags: ["cinderblock"] },
  },
];
const mark = ["lvchange", "--quiet", "--addtag", "cb.gsnap-complete", "--deltag", "cb.incomplete", "cinder-volumes/n-1", "cinder-volumes/n-2"];

describe("the group snapshot script's arguments", () => {
  it("are the settings, the counted completion argv, then each member with its counted lvcreate argv", () => {
    expect(windowArgs("cinder-volumes", members, mark, { maxPauseSeconds: 30, suspendTimeoutSeconds: 10 })).toEqual([
      "/run/lock/cinderblock-group-snapshots.lock",
      "120",
      "/run/cinderblock-gsnap",
      "cbgate-",
      "30",
      "10",
      "120",
      "90",
      "80",
      "cinder-volumes",
      "8",
      ...mark,
      "2",
      "db-data",
      "cbgate-cinder--volumes-db--data",
      "n-1",
      "12",
      "lvcreate",
      "--yes",
      "--quiet",
      "-s",
      "-n",
      "n-1",
      "--addtag",
      "cinderblock",
      "--addtag",
      "cb.incomplete",
      "cinder-volumes/db-data",
      // An inactive thin snapshot does not wait for udev inside the pause; a thick one must.
      "--noudevsync",
      "db-log",
      "cbgate-cinder--volumes-db--log",
      "n-2",
      "11",
      "lvcreate",
      "--yes",
      "--quiet",
      "-s",
      "-L",
      "536870912b",
      "-n",
      "n-2",
      "--addtag",
      "cinderblock",
      "cinder-volumes/db-log",
    ]);
  });

  it("give each member exactly as many words as its count says", () => {
    const args = windowArgs("cinder-volumes", members, mark, { maxPauseSeconds: 30, suspendTimeoutSeconds: 10 });
    let at = 10;
    at += 1 + Number(args[at]);
    const count = Number(args[at++]);
    for (let i = 0; i < count; i++) {
      at += 3;
      const words = Number(args[at++]);
      expect(args[at]).toBe("lvcreate");
      at += words;
    }
    expect(at).toBe(args.length);
  });
});

describe("what the group snapshot script prints", () => {
  it("reads a taken set: members, when the pause began and ended, and how long it was", () => {
    const out = "member=db-data|ok\nmember=db-log|ok\npaused_at=1764074000.100000\nresumed_at=1764074001.350500\nsuspend_us=120000\npause_us=1250500\n";
    expect(parseWindowOutput(0, out)).toEqual({
      kind: "taken",
      members: [
        { lvName: "db-data", taken: true, error: undefined },
        { lvName: "db-log", taken: true, error: undefined },
      ],
      pausedAt: 1764074000.1,
      resumedAt: 1764074001.3505,
      suspendMs: 120,
      pauseMs: 1250.5,
    });
  });

  it("reads a refusal, naming the member when one is busy", () => {
    expect(parseWindowOutput(3, "refused=busy|db-log|cinder-volumes/db-log is open other than through its gate\n")).toEqual({
      kind: "refused",
      reason: "busy",
      lvName: "db-log",
      message: "cinder-volumes/db-log is open other than through its gate",
    });
    expect(parseWindowOutput(3, "disarmed=/run/cinderblock-gsnap/run.x\nrefused=full|the thin pool cinder-volumes/p is too full\n")).toMatchObject({
      kind: "refused",
      reason: "full",
    });
    expect(parseWindowOutput(3, "refused=strange|?\n")).toMatchObject({ kind: "refused", reason: "state" });
  });

  it("reads an abandoned set with what happened to each member, keeping '|' in LVM's message", () => {
    const out =
      "member=db-data|ok\nmember=db-log|failed|Insufficient free space: 128 extents needed | 2 available\naborted=the snapshot of cinder-volumes/db-log failed\n";
    expect(parseWindowOutput(4, out)).toEqual({
      kind: "aborted",
      message: "the snapshot of cinder-volumes/db-log failed",
      members: [
        { lvName: "db-data", taken: true, error: undefined },
        { lvName: "db-log", taken: false, error: "Insufficient free space: 128 extents needed | 2 available" },
      ],
    });
  });

  it("refuses output it does not understand rather than guessing success", () => {
    expect(() => parseWindowOutput(0, "member=db-data|ok\n")).toThrow(VolumeBackendAPIException);
    expect(() => parseWindowOutput(4, "")).toThrow(VolumeBackendAPIException);
  });
});
