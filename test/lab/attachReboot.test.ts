import { randomUUID } from "node:crypto";
import type { Connector, IscsiConnectionData, NvmeofConnectionData, Volume } from "../../drivers/interface/types";
import {
  entries,
  iscsiData,
  loginOf,
  nvmeData,
  openExportDriver,
  readThroughIscsi,
  readThroughNvme,
  recordingLogger,
  sha256,
  tpgDir,
  writeRandom,
  type ExportLabDriver,
} from "./attachSupport";
import { newUuid } from "./driverSupport";
import { onHost, onHostOk, unique } from "./support";

/**
 * Exports after the storage host reboots. The kernel keeps no target configuration across a
 * boot (nvmet never does; LIO only through a saveconfig file, which cinderblock does not use),
 * so the first contact of the next process with the host (its setup) rebuilds each export from
 * the record on the host, after recreating the volume's gate: no ensureExport, no `attach
 * restore`. Checked with the same initiators and credentials as before.
 */

const MiB = 1024 * 1024;
const iscsiClient: Connector = { host: "outside", initiator: "iqn.2004-10.org.example:reboot" };
const nvmeClient: Connector = { host: "lab-2", nqn: `nqn.2014-08.org.nvmexpress:uuid:${randomUUID()}` };

let driver: ExportLabDriver;
let close: () => Promise<void>;
let logged: string[] = [];
let iscsiVolume: Volume;
let nvmeVolume: Volume;
const written = new Map<string, string>();
let iscsiInfo: IscsiConnectionData;
let nvmeInfo: NvmeofConnectionData;

async function open(): Promise<void> {
  const { logger, lines } = recordingLogger();
  logged = lines;
  const opened = await openExportDriver(logger);
  driver = opened.driver;
  close = () => opened.backends.close();
}

/** Reboots lab host 1 and waits until it answers again from a new boot (QEMU keeps running; the guest restarts). */
async function rebootFirstHost(): Promise<void> {
  const bootId = (await onHostOk("cat /proc/sys/kernel/random/boot_id")).trim();
  await onHost("(sleep 1; systemctl reboot) >/dev/null 2>&1 &");
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const now = await onHost("cat /proc/sys/kernel/random/boot_id && systemctl is-system-running --wait >/dev/null; true");
    if (now.code === 0 && now.stdout.trim() !== "" && now.stdout.trim().split("\n")[0] !== bootId) return;
  }
  throw new Error("lab-1 did not come back within 15 minutes of the reboot");
}

beforeAll(async () => {
  await open();
  iscsiVolume = await driver.createVolume({ uuid: newUuid(), name: unique("rb-iscsi"), sizeGib: 1 });
  nvmeVolume = await driver.createVolume({ uuid: newUuid(), name: unique("rb-nvme"), sizeGib: 1 });
  for (const volume of [iscsiVolume, nvmeVolume]) written.set(volume.id, await writeRandom(volume.devicePath, 1));
  await driver.createExport(iscsiVolume.id, iscsiClient, "iscsi");
  iscsiInfo = iscsiData(await driver.initializeConnection(iscsiVolume.id, iscsiClient));
  await driver.createExport(nvmeVolume.id, nvmeClient, "nvme-tcp");
  nvmeInfo = nvmeData(await driver.initializeConnection(nvmeVolume.id, nvmeClient));
});

afterAll(async () => {
  for (const volume of [iscsiVolume, nvmeVolume].filter(Boolean)) {
    await driver.terminateConnection(volume.id, undefined).catch(() => undefined);
    await driver.removeExport(volume.id).catch(() => undefined);
    await driver.deleteVolume(volume.id).catch(() => undefined);
  }
  await close?.();
});

describe("exports across a reboot of the storage host", () => {
  it("are readable before", async () => {
    expect(sha256(await readThroughIscsi(loginOf(iscsiInfo, iscsiClient.initiator!), MiB))).toBe(written.get(iscsiVolume.id));
    expect(await readThroughNvme(nvmeInfo, nvmeClient.nqn!)).toMatchObject({ code: 0, stdout: `${written.get(nvmeVolume.id)}\n` });
  });

  it("are gone from the kernel after the host rebooted (its records stay)", async () => {
    await close();
    await rebootFirstHost();
    expect((await onHost(`test -e ${tpgDir(iscsiInfo.target_iqn)}`)).code).not.toBe(0);
    expect(await entries("/sys/kernel/config/nvmet/subsystems")).not.toContain(nvmeInfo.target_nqn);
    expect(await entries("/etc/cinderblock/exports/cinder-volumes")).toEqual(
      expect.arrayContaining([`${iscsiVolume.lvName}.json`, `${nvmeVolume.lvName}.json`]),
    );
  });

  it("are restored by the next process's first contact with the host (any operation: here the scheduler's read of the stats), with every initiator's access", async () => {
    await open();
    await driver.getVolumeStats(true);
    expect(logged).toContainEqual(expect.stringMatching(/^lab-1: restored 2 export\(s\) lost to a reboot: /));
    expect(await entries(`${tpgDir(iscsiInfo.target_iqn)}/acls`)).toEqual([iscsiClient.initiator]);
    expect(await entries(`/sys/kernel/config/nvmet/subsystems/${nvmeInfo.target_nqn}/allowed_hosts`)).toEqual([nvmeClient.nqn]);
    expect(await driver.findExport(iscsiVolume.id)).toMatchObject({ protocol: "iscsi", target: iscsiInfo.target_iqn, initiators: [iscsiClient.initiator] });
  });

  it("are read again by their initiators, through the volumes' recreated gates", async () => {
    expect(sha256(await readThroughIscsi(loginOf(iscsiInfo, iscsiClient.initiator!), MiB))).toBe(written.get(iscsiVolume.id));
    expect(await readThroughNvme(nvmeInfo, nvmeClient.nqn!)).toMatchObject({ code: 0, stdout: `${written.get(nvmeVolume.id)}\n` });
  });
});
