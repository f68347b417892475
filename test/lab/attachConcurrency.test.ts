import type { Backends } from "../../drivers";
import type { Connector, IscsiConnectionData, Volume } from "../../drivers/interface/types";
import { entries, iscsiData, iscsiLogin, loginOf, openExportDriver, tpgDir, type ExportLabDriver } from "./attachSupport";
import { newUuid } from "./driverSupport";
import { unique } from "./support";

/**
 * Twelve attachments at once on one host, made by two driver instances with SSH connections of
 * their own (as two `pulumi up` runs would be): four volumes, three initiators each. Without
 * the host-side lock, attaches to one volume would overwrite each other's ACL lists, or two
 * concurrent first exports would each make CHAP credentials of their own.
 */

const VOLUMES = 4;
const INITIATORS = 3;

interface Job {
  volume: Volume;
  connector: Connector & { initiator: string };
  driver: ExportLabDriver;
}

const opened: Array<{ backends: Backends; driver: ExportLabDriver }> = [];
let volumes: Volume[] = [];
let jobs: Job[] = [];

beforeAll(async () => {
  opened.push(await openExportDriver(), await openExportDriver());
  const [first] = opened;
  volumes = await Promise.all(
    Array.from({ length: VOLUMES }, (_, index) => first!.driver.createVolume({ uuid: newUuid(), name: unique(`par${index}`), sizeGib: 1 })),
  );
  // Both drivers set their host up now (as a running process would have), so that the burst
  // below is about the targets, not about two first connections.
  for (const { driver } of opened) expect(await driver.findExport(volumes[0]!.id)).toBeUndefined();
  jobs = volumes.flatMap((volume, v) =>
    Array.from({ length: INITIATORS }, (_, i) => ({
      volume,
      connector: { host: `client-${v}-${i}`, initiator: `iqn.2004-10.org.example:client-${v}-${i}` },
      driver: opened[(v * INITIATORS + i) % 2]!.driver,
    })),
  );
});

afterAll(async () => {
  const driver = opened[0]?.driver;
  // In parallel, as setup: the target lock keeps the host's configuration consistent anyway.
  await Promise.all(
    (driver ? volumes : []).map(async (volume) => {
      await driver!.terminateConnection(volume.id, undefined).catch(() => undefined);
      await driver!.removeExport(volume.id).catch(() => undefined);
      await driver!.deleteVolume(volume.id).catch(() => undefined);
    }),
  );
  for (const { backends } of opened) await backends.close();
});

describe("twelve attachments at once on one host, from two processes", () => {
  let infos: IscsiConnectionData[] = [];

  it("all succeed", async () => {
    // allSettled: every attachment has finished (or failed) before anything is checked or cleaned up.
    const results = await Promise.allSettled(
      jobs.map(async ({ volume, connector, driver }) => {
        await driver.createExport(volume.id, connector, "iscsi");
        return driver.initializeConnection(volume.id, connector);
      }),
    );
    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    infos = results.map((result) => (result.status === "fulfilled" ? iscsiData(result.value) : ({} as IscsiConnectionData)));
    expect(infos).toHaveLength(VOLUMES * INITIATORS);
  });

  it("all appear in the configuration afterwards: each volume's target has exactly its three ACLs, on record too", async () => {
    for (const volume of volumes) {
      const mine = jobs
        .filter((job) => job.volume === volume)
        .map((job) => job.connector.initiator)
        .sort();
      const exported = await opened[1]!.driver.findExport(volume.id);
      expect([...(exported?.initiators ?? [])].sort()).toEqual(mine);
      expect(await entries(`${tpgDir(exported!.target)}/acls`)).toEqual(mine);
    }
  });

  it("gave the attachments of one volume one export (one target, not several racing ones), and each initiator credentials of its own", () => {
    for (const volume of volumes) {
      const mine = infos.filter((_, index) => jobs[index]!.volume === volume);
      expect(new Set(mine.map((info) => info.target_iqn)).size).toBe(1);
      expect(new Set(mine.map((info) => `${info.auth_username}:${info.auth_password}`)).size).toBe(mine.length);
    }
  });

  it("all work: every initiator logs in with what it was given", async () => {
    const logins = await Promise.all(jobs.map((job, index) => iscsiLogin(loginOf(infos[index]!, job.connector.initiator))));
    expect(logins.map((login) => login.ok)).toEqual(jobs.map(() => true));
  });
});
