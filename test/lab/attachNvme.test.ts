import { randomUUID } from "node:crypto";
import type { Backends } from "../../drivers";
import type { Connector, NvmeofConnectionData, Volume } from "../../drivers/interface/types";
import { DHCHAP_KEY, generateDhchapKey } from "../../drivers/targets/credentials";
import {
  connectController,
  disconnectController,
  entries,
  NVME_INITIATOR_HOST,
  nvmeData,
  openExportDriver,
  readThroughController,
  readThroughNvme,
  writeRandom,
  writeThroughController,
  type ExportLabDriver,
} from "./attachSupport";
import { newUuid } from "./driverSupport";
import { onHost, onHostOk, unique } from "./support";

/**
 * NVMe/TCP attach and detach against the kernel's nvmet on the first lab host, with the second
 * lab host as the initiator (nvme-cli and the kernel's nvme-tcp), reaching the first through
 * QEMU's forwarded port at 10.0.2.2. The lab's kernel (6.12, lab/image.ts) has DH-HMAC-CHAP on
 * both sides, so every connection here authenticates with the host's own key.
 */

const hostNqn = (): string => `nqn.2014-08.org.nvmexpress:uuid:${randomUUID()}`;
/** The second lab host under its own host NQN (from its seed); `second` is another NQN on it. */
let first: Connector;
const second: Connector = { host: "lab-2", nqn: hostNqn() };
const subsystemDir = (nqn: string): string => `/sys/kernel/config/nvmet/subsystems/${nqn}`;

let backends: Backends;
let driver: ExportLabDriver;
let volume: Volume;
let written: string;

beforeAll(async () => {
  first = { host: "lab-2", nqn: (await onHostOk("cat /etc/nvme/hostnqn", NVME_INITIATOR_HOST)).trim() };
  ({ backends, driver } = await openExportDriver());
  volume = await driver.createVolume({ uuid: newUuid(), name: unique("nvme"), sizeGib: 1 });
  written = await writeRandom(volume.devicePath, 1);
});

afterAll(async () => {
  if (volume) {
    await driver.terminateConnection(volume.id, undefined).catch(() => undefined);
    await driver.removeExport(volume.id).catch(() => undefined);
    await driver.deleteVolume(volume.id).catch(() => undefined);
  }
  await backends?.close();
});

describe("an NVMe/TCP export through nvmet", () => {
  let nqn: string;
  let info: NvmeofConnectionData;

  it("has initiators that are told apart: each lab host its own host NQN, with its uuid as host id", async () => {
    const identity = async (index: number): Promise<string> => onHostOk("cat /etc/nvme/hostnqn /etc/nvme/hostid", index);
    const [nqnSecond, idSecond] = (await identity(NVME_INITIATOR_HOST)).split("\n");
    expect(nqnSecond).toBe(first.nqn);
    expect(nqnSecond).toBe(`nqn.2014-08.org.nvmexpress:uuid:${idSecond}`);
    expect((await identity(0)).split("\n")[0]).not.toBe(nqnSecond);
  });

  it("is a subsystem over the volume's gate that allows no host: namespace 1, allow_any_host 0, a TCP port on 4420", async () => {
    const exported = await driver.createExport(volume.id, first, "nvme-tcp");
    nqn = exported.target;
    expect(nqn).toBe(`nqn.2025-01.dev.cinderblock:volume-${volume.uuid}`);
    const sub = subsystemDir(nqn);
    expect(await onHostOk(`cat ${sub}/attr_allow_any_host ${sub}/namespaces/1/enable ${sub}/namespaces/1/device_path`)).toBe(`0\n1\n${volume.devicePath}\n`);
    expect((await onHostOk(`cat ${sub}/namespaces/1/device_uuid`)).trim()).toBe(volume.uuid);
    expect(await entries(`${sub}/allowed_hosts`)).toEqual([]);
    const port = await onHostOk(
      `for p in /sys/kernel/config/nvmet/ports/*; do [ -L "$p/subsystems/${nqn}" ] && cat $p/addr_trtype $p/addr_traddr $p/addr_trsvcid; done`,
    );
    expect(port).toBe("tcp\n0.0.0.0\n4420\n");
  });

  it("lets the granted host NQN in with its key: the second lab host reads the bytes written on the first", async () => {
    info = nvmeData(await driver.initializeConnection(volume.id, first));
    expect(info).toMatchObject({ target_nqn: nqn, ns_id: 1, vol_uuid: volume.uuid, host_nqn: first.nqn, discard: true, auth_method: "DH-HMAC-CHAP" });
    expect(info.portals).toContainEqual(["10.0.2.2", expect.stringMatching(/^\d+$/), "tcp"]);
    expect(await entries(`${subsystemDir(nqn)}/allowed_hosts`)).toEqual([first.nqn]);
    const read = await readThroughNvme(info, first.nqn!);
    expect(read).toMatchObject({ code: 0, stdout: `${written}\n` });
  });

  it("authenticates with DH-HMAC-CHAP: the target holds the host's own key; no key or another key is refused", async () => {
    const key = info.host_secret ?? "";
    expect(DHCHAP_KEY.test(key)).toBe(true);
    // Compared as booleans, so that a failure prints no key.
    const held = (await onHostOk(`cat /sys/kernel/config/nvmet/hosts/${first.nqn}/dhchap_key`)).trim();
    expect(held === key).toBe(true);
    expect((await onHost(`nvme check-dhchap-key -k '${key}' >/dev/null`, NVME_INITIATOR_HOST)).code).toBe(0);
    expect((await readThroughNvme(info, first.nqn!, "")).code).toBe(10);
    expect((await readThroughNvme(info, first.nqn!, generateDhchapKey())).code).toBe(10);
  });

  it("refuses a host NQN that is not allowed", async () => {
    const read = await readThroughNvme(info, hostNqn());
    expect(read.code).toBe(10);
  });

  it("multi-attach: a second host gets its own entry; revoking one cuts its live controller and leaves the other; the subsystem goes with the last", async () => {
    const infoSecond = nvmeData(await driver.initializeConnection(volume.id, second));
    expect(await entries(`${subsystemDir(nqn)}/allowed_hosts`)).toEqual([first.nqn, second.nqn].sort());
    expect((await readThroughNvme(infoSecond, second.nqn!)).stdout).toBe(`${written}\n`);

    // Both hosts keep a controller connected across the detach: the revoked one must lose it.
    const revoked = await connectController(info, first.nqn!);
    const kept = await connectController(infoSecond, second.nqn!);
    try {
      const head = (await onHostOk(`dd if=${volume.devicePath} bs=4096 count=1 iflag=direct status=none | sha256sum | cut -d' ' -f1`)).trim();
      expect(await readThroughController(revoked, 1, 20)).toBe(head);
      expect(await readThroughController(kept, 1, 20)).toBe(head);

      expect(await driver.terminateConnection(volume.id, first)).toBe(true);
      const detached = Date.now();
      // At once: the revoked host's controller reads and writes nothing any more.
      expect(await readThroughController(revoked, 1, 3)).toBeUndefined();
      expect(await writeThroughController(revoked, 1, 3)).toBe(false);
      // The kept host's controller reconnects by itself (its reconnect_delay is 10 s).
      let regained: string | undefined;
      while (regained === undefined && Date.now() - detached < 45_000) regained = await readThroughController(kept, 1, 5);
      expect(regained).toBe(head);
      process.stderr.write(`[nvme revoke] the kept host read again ${((Date.now() - detached) / 1000).toFixed(1)} s after the detach\n`);
      // ...while the revoked one stays out (its reconnects are refused), and wrote nothing.
      expect(await readThroughController(revoked, 1, 3)).toBeUndefined();
      expect((await onHostOk(`dd if=${volume.devicePath} bs=4096 count=1 iflag=direct status=none | sha256sum | cut -d' ' -f1`)).trim()).toBe(head);
    } finally {
      await disconnectController(revoked);
      await disconnectController(kept);
    }
    expect((await readThroughNvme(info, first.nqn!)).code).toBe(10);
    expect(await entries("/sys/kernel/config/nvmet/hosts")).not.toContain(first.nqn);
    expect((await readThroughNvme(infoSecond, second.nqn!)).stdout).toBe(`${written}\n`);

    expect(await driver.terminateConnection(volume.id, second)).toBe(false);
    expect(await driver.removeExport(volume.id)).toBe(true);
    expect((await onHost(`test -e ${subsystemDir(nqn)}`)).code).not.toBe(0);
    expect(await entries("/sys/kernel/config/nvmet/hosts")).not.toContain(second.nqn);
    expect(await driver.findExport(volume.id)).toBeUndefined();
  });
});
