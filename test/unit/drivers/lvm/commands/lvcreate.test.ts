import { lvcreate, lvcreateArgv, type LvcreateRequest } from "../../../../../drivers/lvm/commands/lvcreate";
import { fakeHost } from "../../../../fakes/fakeRunner";

const TAGS = ["cinderblock", "cb.kind=volume", "cb.uuid=u1"];
const ADDTAGS = ["--addtag", "cinderblock", "--addtag", "cb.kind=volume", "--addtag", "cb.uuid=u1"];

const FORMS: Array<[string, LvcreateRequest, string[]]> = [
  [
    "a thick volume",
    { kind: "thick", name: "volume-1", sizeBytes: 1_073_741_824, tags: TAGS },
    ["lvcreate", "--yes", "--quiet", "--wipesignatures", "y", "--zero", "y", "-n", "volume-1", "-L", "1073741824b", ...ADDTAGS, "cinder-volumes"],
  ],
  [
    "a thin volume",
    { kind: "thin", name: "volume-2", pool: "cinder-volumes-pool", sizeBytes: 2_147_483_648, tags: TAGS },
    ["lvcreate", "--yes", "--quiet", "-T", "cinder-volumes/cinder-volumes-pool", "-V", "2147483648b", "-n", "volume-2", ...ADDTAGS],
  ],
  [
    "a thin pool",
    { kind: "thinPool", name: "cinder-volumes-pool", percentOfFree: 80 },
    ["lvcreate", "--yes", "--quiet", "--type", "thin-pool", "--zero", "y", "-l", "80%FREE", "-n", "cinder-volumes-pool", "cinder-volumes"],
  ],
  [
    "a thin snapshot left with activation skip",
    { kind: "thinSnapshot", name: "_snapshot-1", origin: "volume-2", tags: TAGS, activate: false },
    ["lvcreate", "--yes", "--quiet", "-s", "-n", "_snapshot-1", ...ADDTAGS, "cinder-volumes/volume-2"],
  ],
  [
    "a thin snapshot activated at once",
    { kind: "thinSnapshot", name: "tmp-1", origin: "volume-2", tags: [], activate: true },
    ["lvcreate", "--yes", "--quiet", "-s", "-k", "n", "-a", "y", "-n", "tmp-1", "cinder-volumes/volume-2"],
  ],
  [
    "a thick snapshot",
    { kind: "thickSnapshot", name: "_snapshot-2", origin: "volume-1", cowBytes: 268_435_456, tags: TAGS },
    ["lvcreate", "--yes", "--quiet", "-s", "-L", "268435456b", "-n", "_snapshot-2", ...ADDTAGS, "cinder-volumes/volume-1"],
  ],
  [
    "a thick snapshot a copy reads, in large chunks",
    { kind: "thickSnapshot", name: "cbtmp-1", origin: "volume-1", cowBytes: 268_435_456, tags: TAGS, chunk: "512k" },
    ["lvcreate", "--yes", "--quiet", "-s", "-L", "268435456b", "--chunksize", "512k", "-n", "cbtmp-1", ...ADDTAGS, "cinder-volumes/volume-1"],
  ],
  [
    "a thick volume without tags",
    { kind: "thick", name: "v", sizeBytes: 4_194_304, tags: [] },
    ["lvcreate", "--yes", "--quiet", "--wipesignatures", "y", "--zero", "y", "-n", "v", "-L", "4194304b", "cinder-volumes"],
  ],
];

describe("lvcreateArgv", () => {
  it.each(FORMS)("builds the exact command for %s", (_what, request, argv) => {
    expect(lvcreateArgv("cinder-volumes", request)).toEqual(argv);
  });

  it("passes a tag as one argument even when it holds '=' or ':'", () => {
    const argv = lvcreateArgv("vg", { kind: "thick", name: "v", sizeBytes: 512, tags: ["cb.label.url=a:b/c"] });
    expect(argv).toContain("cb.label.url=a:b/c");
  });
});

describe("lvcreate", () => {
  it("runs the argv for the host's volume group", async () => {
    const { host, runner } = fakeHost({ lvcreate: {} });
    const request: LvcreateRequest = { kind: "thinPool", name: "pool", percentOfFree: 50 };
    await lvcreate(host, request);
    expect(runner.calls).toEqual([lvcreateArgv("cinder-volumes", request)]);
  });
});
