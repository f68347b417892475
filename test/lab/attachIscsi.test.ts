import type { Backends } from "../../drivers";
import type { Connector, IscsiConnectionData, Volume } from "../../drivers/interface/types";
import {
  entries,
  iscsiData,
  iscsiLogin,
  loginOf,
  openExportDriver,
  readThroughIscsi,
  recordingLogger,
  sha256,
  tpgDir,
  writeRandom,
  type ExportLabDriver,
} from "./attachSupport";
import { newUuid } from "./driverSupport";
import { onHost, onHostOk, unique } from "./support";

/**
 * iSCSI attach and detach against LIO on a real lab host. The proof is from outside the
 * guest: this machine's libiscsi (qemu-img, iscsi-inq) logs in through QEMU's forwarded port
 * and reads back bytes that were written to the volume's gate on the host with dd.
 */

const MiB = 1024 * 1024;
const hostA: Connector = { host: "client-a", initiator: "iqn.2004-10.org.example:client-a", ip: "10.0.2.2" };
const hostB: Connector = { host: "client-b", initiator: "iqn.2004-10.org.example:client-b" };
const hostM: Connector = { host: "client-m", initiator: "iqn.2004-10.org.example:client-m", mutualChap: true };

let backends: Backends;
let driver: ExportLabDriver;
let volume: Volume;
let written: string;
let deleted = false;
const log = recordingLogger();

beforeAll(async () => {
  ({ backends, driver } = await openExportDriver(log.logger));
  volume = await driver.createVolume({ uuid: newUuid(), name: unique("attach"), sizeGib: 1 });
  written = await writeRandom(volume.devicePath, 1);
});

afterAll(async () => {
  if (volume && !deleted) {
    await driver.terminateConnection(volume.id, undefined).catch(() => undefined);
    await driver.removeExport(volume.id).catch(() => undefined);
    await driver.deleteVolume(volume.id).catch(() => undefined);
  }
  await backends?.close();
});

describe("an iSCSI export through LIO", () => {
  let iqn: string;

  it("is a closed target over the volume's gate: LUN 0, authentication on, no generate_node_acls, no ACL yet", async () => {
    const exported = await driver.createExport(volume.id, hostA, "iscsi");
    iqn = exported.target;
    expect(exported).toMatchObject({ volumeId: volume.id, protocol: "iscsi", initiators: [] });
    expect(iqn).toMatch(new RegExp(`^iqn\\.2025-01\\.dev\\.cinderblock:volume-${volume.uuid}$`));
    const tpg = tpgDir(iqn);
    expect(await onHostOk(`cat ${tpg}/attrib/authentication ${tpg}/attrib/generate_node_acls ${tpg}/enable`)).toBe("1\n0\n1\n");
    expect(await entries(`${tpg}/acls`)).toEqual([]);
    // LUN 0's backstore is the gate device, never the LV.
    expect((await onHostOk(`cat "$(readlink -f ${tpg}/lun/lun_0/cinderblock)/udev_path"`)).trim()).toBe(volume.devicePath);
    // The record holding the CHAP secret is root's alone.
    expect(await onHostOk(`stat -c '%a %U' /etc/cinderblock/exports/cinder-volumes/${volume.lvName}.json /etc/cinderblock/exports/cinder-volumes`)).toBe(
      "600 root\n700 root\n",
    );
  });

  let infoA: IscsiConnectionData;

  it("grants an initiator its own ACL and returns Cinder's connection info, with which it reads the bytes written on the host", async () => {
    infoA = iscsiData(await driver.initializeConnection(volume.id, hostA));
    expect(infoA).toMatchObject({ target_discovered: false, target_iqn: iqn, target_lun: 0, volume_id: volume.id, auth_method: "CHAP", discard: true });
    expect(infoA.target_portals[0]).toBe(infoA.target_portal);
    expect(infoA.target_iqns).toEqual(infoA.target_portals.map(() => iqn));
    expect(infoA.auth_username).toMatch(/^[2-9A-HJ-NP-Za-km-z]{20}$/);
    expect(infoA.auth_password).toMatch(/^[2-9A-HJ-NP-Za-km-z]{16}$/);
    expect(await entries(`${tpgDir(iqn)}/acls`)).toEqual([hostA.initiator]);
    expect(sha256(await readThroughIscsi(loginOf(infoA, hostA.initiator!), MiB))).toBe(written);
  });

  it("refuses a wrong CHAP secret, and an initiator without an ACL even with the right secret", async () => {
    const wrongSecret = await iscsiLogin({ ...loginOf(infoA, hostA.initiator!), password: "Wrong2345678Secret" });
    expect(wrongSecret).toMatchObject({ ok: false, output: expect.stringMatching(/Authentication failure/) });
    const noAcl = await iscsiLogin(loginOf(infoA, "iqn.2004-10.org.example:intruder"));
    expect(noAcl).toMatchObject({ ok: false, output: expect.stringMatching(/Authorization failure/) });
    expect((await iscsiLogin(loginOf(infoA, hostA.initiator!))).ok).toBe(true);
  });

  let targetSecret = "";

  it("mutual CHAP: the target answers with its own secret for that initiator; an initiator expecting another secret refuses the target", async () => {
    const info = iscsiData(await driver.initializeConnection(volume.id, hostM));
    const target = { user: info.auth_target_username ?? "", password: info.auth_target_password ?? "" };
    expect(target.user).toMatch(/^[2-9A-HJ-NP-Za-km-z]{20}$/);
    expect(target.password).toMatch(/^[2-9A-HJ-NP-Za-km-z]{16}$/);
    targetSecret = target.password;
    expect(infoA.auth_target_password).toBeUndefined();
    const login = loginOf(info, hostM.initiator!);
    expect(await iscsiLogin({ ...login, target })).toMatchObject({ ok: true });
    expect(await iscsiLogin({ ...login, target: { ...target, password: "Wrong2345678Target" } })).toMatchObject({ ok: false });
    expect(await driver.terminateConnection(volume.id, hostM)).toBe(true);
    expect(await entries(`${tpgDir(iqn)}/acls`)).toEqual([hostA.initiator]);
  });

  it("is idempotent: exporting and attaching again keep the target, the ACL and the credentials", async () => {
    expect((await driver.createExport(volume.id, hostA, "iscsi")).target).toBe(iqn);
    expect(iscsiData(await driver.initializeConnection(volume.id, hostA))).toEqual(infoA);
    expect(await entries(`${tpgDir(iqn)}/acls`)).toEqual([hostA.initiator]);
  });

  it("refuses to export the volume over NVMe/TCP while an iSCSI initiator has access", async () => {
    await expect(driver.createExport(volume.id, { host: "n", nqn: "nqn.2014-08.org.nvmexpress:uuid:x" }, "nvme-tcp")).rejects.toMatchObject({
      code: "InvalidInput",
    });
    expect(await driver.findExport(volume.id)).toMatchObject({ protocol: "iscsi", initiators: [hostA.initiator] });
  });

  let infoB: IscsiConnectionData;

  it("multi-attach: a second initiator gets its own ACL and CHAP credentials; detaching one leaves the other working; the export goes with the last", async () => {
    infoB = iscsiData(await driver.initializeConnection(volume.id, hostB));
    expect(infoB.auth_username).not.toBe(infoA.auth_username);
    expect(infoB.auth_password).not.toBe(infoA.auth_password);
    // Each secret opens only its own initiator's ACL.
    expect((await iscsiLogin(loginOf(infoA, hostB.initiator!))).output).toMatch(/Authentication failure/);
    expect(await entries(`${tpgDir(iqn)}/acls`)).toEqual([hostA.initiator, hostB.initiator].sort());
    expect(sha256(await readThroughIscsi(loginOf(infoB, hostB.initiator!), MiB))).toBe(written);

    expect(await driver.terminateConnection(volume.id, hostA)).toBe(true);
    expect(await entries(`${tpgDir(iqn)}/acls`)).toEqual([hostB.initiator]);
    expect((await iscsiLogin(loginOf(infoA, hostA.initiator!))).output).toMatch(/Authorization failure/);
    // The detached initiator, knowing its old secret, claims the name of the one still attached: refused.
    expect((await iscsiLogin(loginOf(infoA, hostB.initiator!))).output).toMatch(/Authentication failure/);
    expect(sha256(await readThroughIscsi(loginOf(infoB, hostB.initiator!), MiB))).toBe(written);
    // An initiator still has access: removing the export is refused, and it stays.
    expect(await driver.removeExport(volume.id)).toBe(false);
    expect((await iscsiLogin(loginOf(infoB, hostB.initiator!))).ok).toBe(true);

    expect(await driver.terminateConnection(volume.id, hostB)).toBe(false);
    expect(await driver.terminateConnection(volume.id, hostB)).toBe(false);
    expect(await driver.removeExport(volume.id)).toBe(true);
    expect((await onHost(`test -e /sys/kernel/config/target/iscsi/${iqn}`)).code).not.toBe(0);
    expect((await onHost(`test -e /etc/cinderblock/exports/cinder-volumes/${volume.lvName}.json`)).code).not.toBe(0);
    expect(await driver.findExport(volume.id)).toBeUndefined();
    expect(await driver.removeExport(volume.id)).toBe(true);
    // Nothing holds the volume's gate any more: it can be deleted (a failure here is a leaked export).
    await driver.deleteVolume(volume.id);
    deleted = true;
  });

  it("never logged a CHAP secret, the target's mutual one included (every command line, debug included)", () => {
    expect(log.lines.length).toBeGreaterThan(10);
    expect(log.lines.filter((line) => [infoA.auth_password, infoB.auth_password, targetSecret].some((secret) => line.includes(secret)))).toEqual([]);
  });
});
