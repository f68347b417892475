/**
 * Hostile strings on a real host (issue 16, item 4). The unit sweeps (test/unit/{cli,provider}/
 * hostileInputs.test.ts) show that every CLI and resource input refuses each string before any
 * host is contacted, or accepts it; here every ACCEPTED string goes through the CLI (in-process
 * `main`) and the Volume resource's handlers to the lab's first host, is read back verbatim
 * from the host's own LV tags, and everything made is removed: the host is then as it was
 * (LVs, device-mapper tables, target configfs trees, files under /etc, /usr/local, /root, /tmp).
 */
import { main } from "../../cli/main";
import { LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, MAX_DESCRIPTION_BYTES, UUID_PATTERN } from "../../drivers/interface/rules";
import { checkDeviceNames, checkVolumeName, escapeLvName, gateName } from "../../drivers/lvm/model/names";
import { providers } from "../../provider";
import { HOSTILE } from "../fixtures/hostileStrings";
import { hostLvs, labConfigPath, limited, onHostOk, type HostLv } from "./support";

const VG = "cinder-volumes";
const MARKER = "/run/cinderblock-hostile-marker";

/**
 * What an input could reach on the host, as text. LVM's own metadata history (/etc/lvm/archive,
 * /etc/lvm/backup) changes with every LV made or removed and is left out, as is the history of
 * the lvm shell the session agent runs, and directories (a file made and removed again changes
 * its directory's time); so are cinderblock's lock files under /run/lock, which flock(1) leaves
 * in place by design.
 */
async function hostState(): Promise<string> {
  return onHostOk(
    [
      `echo '# lvs'; lvs --noheadings --separator ' ' -o lv_name,lv_attr,lv_size,lv_tags ${VG} | sort`,
      "echo '# dmsetup'; dmsetup table | sort",
      "echo '# configfs'; find /sys/kernel/config/target /sys/kernel/config/nvmet 2>/dev/null | sort",
      "echo '# /run/lock'; ls -a /run/lock | grep -v '^cinderblock-.*[.]lock$' | sort",
      `echo '# changed files'; find /etc /usr/local /root /tmp /var/tmp -xdev ! -type d -newer ${MARKER} 2>/dev/null | grep -v '^/etc/lvm/\\(archive\\|backup\\)/\\|^/root/[.]lvm_history$' | sort`,
      "true",
    ].join("\n"),
  );
}

const accepted = {
  name: HOSTILE.filter((value) => {
    try {
      checkVolumeName(value);
      checkDeviceNames(VG, escapeLvName(value));
      return true;
    } catch {
      return false;
    }
  }),
  description: HOSTILE.filter((value) => Buffer.byteLength(value, "utf8") <= MAX_DESCRIPTION_BYTES),
  labelKey: HOSTILE.filter((value) => LABEL_KEY_PATTERN.test(value)),
  labelValue: HOSTILE.filter((value) => LABEL_VALUE_PATTERN.test(value)),
  uuid: HOSTILE.filter((value) => UUID_PATTERN.test(value)),
};

/** The longest name device-mapper can still take on this VG: its gate is exactly 127 characters, every dash doubled. */
const BOUNDARY_NAME = `a${"-".repeat(50)}bcd`;

/** An LV's description, labels and uuid, decoded from its tags here (independently of the driver's parser). */
function stored(lv: HostLv): { description: string; labels: Record<string, string>; uuid: string | undefined } {
  const value = (prefix: string) => lv.tags.find((tag) => tag.startsWith(prefix))?.slice(prefix.length);
  const labels = Object.fromEntries(
    lv.tags.filter((tag) => tag.startsWith("cb.label.")).map((tag) => [tag.slice(9, tag.indexOf("=")), tag.slice(tag.indexOf("=") + 1)]),
  );
  return { description: Buffer.from(value("cb.desc=") ?? "", "base64url").toString("utf8"), labels, uuid: value("cb.uuid=") };
}

/** Runs `main` in-process against the lab's first host, its output silenced; resolves with the exit code. */
async function cli(argv: string[]): Promise<number> {
  return main([...argv, "--config", labConfigPath()]);
}

/** `values` joined into as few strings of at most `maxBytes` UTF-8 bytes as a greedy pass makes. */
function packed(values: readonly string[], maxBytes: number): string[] {
  const chunks: string[] = [];
  for (const value of values) {
    const last = chunks.at(-1);
    if (last !== undefined && Buffer.byteLength(last + value, "utf8") <= maxBytes) chunks[chunks.length - 1] = last + value;
    else chunks.push(value);
  }
  return chunks;
}

describe("hostile strings on a real host", () => {
  let before: string;
  const run = `h${Math.random().toString(36).slice(2, 6)}`;
  beforeAll(async () => {
    // The host's one-time setup is not the inputs' doing: its thin pool (made on first contact)
    // and the pool's layer LVM activates with its first thin volume (which stays after the
    // volume goes) exist before the host is snapshotted.
    expect(await cli(["volume", "create", "--backend", "lab", "--host", "lab-1", "--size-gb", "1", `--name=${run}-prime`])).toBe(0);
    expect(await cli(["volume", "delete", `lab/lab-1/${VG}/${run}-prime`])).toBe(0);
    await onHostOk(`touch ${MARKER}`);
    before = await hostState();
    jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    jest.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterAll(() => jest.restoreAllMocks());

  it("sweeps at least 50 strings and accepts some on every storing input", () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(50);
    for (const values of Object.values(accepted)) expect(values.length).toBeGreaterThan(0);
  });

  it("the CLI stores accepted labels, uuids and descriptions verbatim, names every accepted name with derived names that fit, and removes it all", async () => {
    // Few volumes, many strings each: one per accepted name (and the boundary name), each with an
    // accepted uuid while they last, every accepted label key and value on the first; descriptions go with them in
    // turn (the resource sweep below takes every accepted description through the same tags).
    const names = [...accepted.name, BOUNDARY_NAME];
    const volumes = Array.from({ length: Math.max(names.length, accepted.uuid.length) }, (_, i) => {
      const name = names[i] ?? `${run}-${i}`;
      return {
        name,
        lvName: escapeLvName(name),
        uuid: accepted.uuid[i],
        description: accepted.description[i % accepted.description.length] as string,
        labels:
          i === 0
            ? {
                ...Object.fromEntries(accepted.labelValue.map((value, j) => [`v${j}`, value])),
                ...Object.fromEntries(accepted.labelKey.map((key) => [key, "k"])),
              }
            : {},
      };
    });
    const codes = await limited(
      4,
      volumes.map(
        (volume) => () =>
          cli([
            "volume",
            "create",
            "--backend",
            "lab",
            "--size-gb",
            "1",
            `--name=${volume.name}`,
            `--description=${volume.description}`,
            ...Object.entries(volume.labels).map(([key, value]) => `--label=${key}=${value}`),
            ...(volume.uuid === undefined ? [] : [`--uuid=${volume.uuid}`]),
          ]),
      ),
    );
    const lvs = await hostLvs(0);
    const gates = (await onHostOk("dmsetup ls | cut -f1")).split("\n");
    try {
      expect(codes).toEqual(volumes.map(() => 0));
      for (const volume of volumes) {
        const lv = lvs.find((each) => each.name === volume.lvName);
        expect(lv).toBeDefined();
        expect(stored(lv!)).toMatchObject({
          description: volume.description,
          labels: volume.labels,
          ...(volume.uuid === undefined ? {} : { uuid: volume.uuid }),
        });
        const gate = gateName(VG, volume.lvName);
        expect(gate.length).toBeLessThanOrEqual(127);
        expect(gates).toContain(gate);
      }
      expect(gateName(VG, BOUNDARY_NAME)).toHaveLength(127);
    } finally {
      const ids = volumes.filter((volume) => lvs.some((lv) => lv.name === volume.lvName)).map((volume) => `lab/lab-1/${VG}/${volume.lvName}`);
      const deleted = await limited(
        4,
        ids.map((id) => () => cli(["volume", "delete", id])),
      );
      expect(deleted).toEqual(ids.map(() => 0));
    }
  }, 600_000);

  it("the Volume resource stores every accepted description (packed into few updates) and label verbatim through create and update", async () => {
    const check = async (inputs: Record<string, unknown>) => {
      const result = await providers.Volume.check!({}, inputs);
      expect(result.failures ?? []).toEqual([]);
      return result.inputs as Record<string, unknown>;
    };
    const base = { backend: "lab", name: `${run}-res`, sizeGb: 1, uuid: `${run}-res` };
    const first = await check({ ...base, description: accepted.description[0] });
    const { id, outs } = await providers.Volume.create!(first);
    try {
      let olds = { ...first, ...outs } as Record<string, unknown>;
      // Every accepted description, packed into as few updates as the byte limit allows (the host
      // only ever sees a description base64url-encoded in one tag, so a concatenation stores each
      // string's bytes as verbatim as the string alone), the empty one apart; every accepted label
      // key and value on each update.
      const labels = {
        ...Object.fromEntries(accepted.labelValue.map((value, j) => [`v${j}`, value])),
        ...Object.fromEntries(accepted.labelKey.map((key) => [key, "k"])),
      };
      const descriptions = [
        "",
        ...packed(
          accepted.description.filter((each) => each !== ""),
          MAX_DESCRIPTION_BYTES,
        ),
      ];
      for (const value of descriptions) {
        const news = await check({ ...base, description: value, labels: { ...labels, n: String(value.length) } });
        const updated = await providers.Volume.update!(id, olds, news);
        expect(updated.outs?.description ?? "").toBe(value);
        expect(updated.outs?.labels).toEqual({ ...labels, n: String(value.length) });
        olds = { ...news, ...updated.outs };
      }
      // The outputs above are the LV as the host reports it after each write; the last is also read here.
      const last = descriptions.at(-1) as string;
      const lv = (await hostLvs(0)).find((each) => each.name === base.name);
      expect(stored(lv!).description).toBe(last);
    } finally {
      await providers.Volume.delete!(id, outs ?? {});
    }
  }, 600_000);

  it("leaves the host as it was", async () => {
    expect(await hostState()).toBe(before);
  });
});
