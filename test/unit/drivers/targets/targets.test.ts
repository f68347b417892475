import { execFileSync } from "node:child_process";
import { readRecord, targetFor, type ExportRecord, type TargetSettings } from "../../../../drivers/targets";
import { HOST_KEYS_DIR } from "../../../../drivers/targets/nvmet";
import { LIO_APPLY, LIO_PROBE, LIO_REMOVE, NVMET_APPLY, NVMET_PROBE } from "../../../../drivers/targets/scripts";
import { RecordingShell } from "../../../fakes/recordingShell";

const settings = (prefix: string, port: number): TargetSettings => ({
  prefix,
  listen: { address: "0.0.0.0", port },
  portals: [`127.0.0.1:${port + 10000}`, `10.0.2.2:${port + 10000}`],
});
const lio = targetFor("iscsi", settings("iqn.2025-01.dev.cinderblock", 3260));
const nvmet = targetFor("nvme-tcp", settings("nqn.2025-01.dev.cinderblock", 4420));
const volume = { volumeId: "lab/lab-1/vg/data", uuid: "0F5D2C9E-2B7A-4A55-9D0B-1D2E3F4A5B6C", device: "/dev/mapper/cbgate-vg-data" };
const PATH = "/etc/cinderblock/exports/vg/data.json";

describe("the probe scripts (an attachment's import)", () => {
  it("report no discard and no DH-HMAC-CHAP key for a device and host the machine does not have", () => {
    const out = (script: string, ...args: string[]) => execFileSync("sh", ["-c", script, "sh", ...args], { encoding: "utf8" });
    expect(out(LIO_PROBE, "/dev/mapper/cbgate-no-such")).toBe("discard=0\n");
    expect(out(NVMET_PROBE, "/dev/mapper/cbgate-no-such", "nqn.2014-08.org.example:none", "/nonexistent")).toBe("discard=0\ndhchap=0\n");
  });

  it("are run with the record's device, and (NVMe) the initiator and the host-keys directory", async () => {
    const shell = new RecordingShell(() => "discard=1\ndhchap=1\n");
    const record = { ...nvmet.newRecord(volume), initiators: ["nqn.2014-08.org.example:a"] };
    expect(await nvmet.probe(shell, record, "nqn.2014-08.org.example:a")).toEqual({ discard: true, dhchap: true });
    expect(await lio.probe(shell, lio.newRecord(volume), "iqn.2004-10.org.example:a")).toEqual({ discard: true, dhchap: false });
    expect(shell.calls.map((call) => call.argv)).toEqual([
      ["sh", "-c", NVMET_PROBE, "sh", volume.device, "nqn.2014-08.org.example:a", HOST_KEYS_DIR],
      ["sh", "-c", LIO_PROBE, "sh", volume.device],
    ]);
  });
});

describe("the LIO target", () => {
  const record = lio.newRecord(volume);

  const a = "iqn.2004-10.org.example:a";
  const b = "iqn.2004-10.org.example:b";

  it("names a new export after the volume's uuid, with no initiator and no credentials yet", () => {
    expect(record).toEqual({
      version: 1,
      protocol: "iscsi",
      volumeId: volume.volumeId,
      volumeUuid: volume.uuid,
      target: "iqn.2025-01.dev.cinderblock:volume-0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c",
      device: volume.device,
      initiators: [],
      initiatorChap: {},
    });
  });

  it("grants each initiator its own fresh CHAP credentials, keeps them when granted again, and revokes only the one detached", () => {
    const both = lio.grant(lio.grant(record, a), b);
    expect(both.initiators).toEqual([a, b]);
    const [chapA, chapB] = [both.initiatorChap?.[a], both.initiatorChap?.[b]];
    expect(chapA?.username).toMatch(/^[2-9A-HJ-NP-Za-km-z]{20}$/);
    expect(chapA?.password).toMatch(/^[2-9A-HJ-NP-Za-km-z]{16}$/);
    expect(chapB?.username).not.toBe(chapA?.username);
    expect(chapB?.password).not.toBe(chapA?.password);
    expect(lio.grant(both, a)).toBe(both);
    expect(lio.revoke(both, a)).toEqual({ ...record, initiators: [b], initiatorChap: { [b]: chapB } });
  });

  it("applies a record with its values as arguments and each initiator's CHAP secret only on stdin, after the record", async () => {
    const shell = new RecordingShell(() => "discard=1\n");
    const granted = lio.grant(lio.grant(record, a), b);
    const [chapA, chapB] = [granted.initiatorChap?.[a], granted.initiatorChap?.[b]];
    expect(await lio.apply(shell, granted, PATH)).toEqual({ discard: true, dhchap: false });
    const [call] = shell.calls;
    expect(call?.argv).toEqual(["sh", "-c", LIO_APPLY, "sh", granted.target, "cbgate-vg-data", volume.device, "0.0.0.0:3260", volume.uuid, PATH, a, b]);
    expect(call?.argv.join(" ")).not.toContain(chapA?.password);
    expect(call?.stdin).toBe(`${JSON.stringify(granted)}\n${a} ${chapA?.username} ${chapA?.password}\n${b} ${chapB?.username} ${chapB?.password}\n`);
  });

  it("still serves a record made before per-initiator CHAP: its initiators keep the volume's credentials, a new one gets its own", async () => {
    const volumeChap = { username: "ABCDEFGHJKLMNPQRSTUV", password: "abcdefghijkmnopq" };
    const legacy: ExportRecord = { ...record, initiators: [a], initiatorChap: undefined, chap: volumeChap };
    const info = async (r: ExportRecord, initiator: string): Promise<unknown> =>
      (await lio.connectionInfo(new RecordingShell(), r, { discard: false, dhchap: false }, initiator)).data;
    expect(await info(legacy, a)).toMatchObject({ auth_username: volumeChap.username, auth_password: volumeChap.password });
    const withB = lio.grant(legacy, b);
    expect(await info(withB, b)).toMatchObject({ auth_username: withB.initiatorChap?.[b]?.username, auth_password: withB.initiatorChap?.[b]?.password });
    expect(withB.initiatorChap?.[b]?.password).not.toBe(volumeChap.password);
  });

  it("with mutual CHAP: gives the target credentials of its own for that initiator, sends them after the initiator's, returns them, and drops them when asked without", async () => {
    const both = lio.grant(lio.grant(record, a, true), b);
    const [chapA, mutualA] = [both.initiatorChap?.[a], both.mutualChap?.[a]];
    expect(Object.keys(both.mutualChap ?? {})).toEqual([a]);
    expect(mutualA?.password).toMatch(/^[2-9A-HJ-NP-Za-km-z]{16}$/);
    expect(mutualA?.password).not.toBe(chapA?.password);
    expect(lio.grant(both, a, true)).toBe(both);
    const shell = new RecordingShell(() => "discard=0\n");
    await lio.apply(shell, both, PATH);
    expect(shell.calls[0]?.stdin?.split("\n")[1]).toBe(`${a} ${chapA?.username} ${chapA?.password} ${mutualA?.username} ${mutualA?.password}`);
    const info = async (r: ExportRecord, initiator: string): Promise<unknown> =>
      (await lio.connectionInfo(new RecordingShell(), r, { discard: false, dhchap: false }, initiator)).data;
    expect(await info(both, a)).toMatchObject({ auth_target_username: mutualA?.username, auth_target_password: mutualA?.password });
    expect(await info(both, b)).not.toHaveProperty("auth_target_password");
    expect(lio.grant(both, a).mutualChap).toEqual({});
    expect(lio.revoke(both, a).mutualChap).toEqual({});
    expect(lio.grant(both, a).initiatorChap?.[a]).toBe(chapA);
  });

  it("refuses mutual CHAP over NVMe/TCP", () => {
    expect(() => nvmet.grant(nvmet.newRecord(volume), "nqn.2014-08.org.example:a", true)).toThrow(expect.objectContaining({ code: "InvalidConnector" }));
  });

  it("removes by target, backstore and record path", async () => {
    const shell = new RecordingShell();
    await lio.remove(shell, record, PATH);
    expect(shell.calls.map((call) => call.argv)).toEqual([["sh", "-c", LIO_REMOVE, "sh", record.target, "cbgate-vg-data", PATH]]);
  });

  it("returns Cinder's iSCSI connection info: every portal, LUN 0, the initiator's own CHAP credentials", async () => {
    const granted = lio.grant(record, a);
    const info = await lio.connectionInfo(new RecordingShell(), granted, { discard: false, dhchap: false }, a);
    expect(info).toEqual({
      driver_volume_type: "iscsi",
      data: {
        target_discovered: false,
        target_portal: "127.0.0.1:13260",
        target_portals: ["127.0.0.1:13260", "10.0.2.2:13260"],
        target_iqn: record.target,
        target_iqns: [record.target, record.target],
        target_lun: 0,
        target_luns: [0, 0],
        volume_id: volume.volumeId,
        auth_method: "CHAP",
        auth_username: granted.initiatorChap?.[a]?.username,
        auth_password: granted.initiatorChap?.[a]?.password,
        discard: false,
      },
    });
  });

  it("needs the connector's initiator", () => {
    expect(() => lio.initiatorOf({ host: "web", nqn: "nqn.2014-08.org.nvmexpress:uuid:1" })).toThrow(expect.objectContaining({ code: "InvalidConnector" }));
    expect(lio.initiatorOf({ host: "web", initiator: "iqn.2004-10.org.example:a" })).toBe("iqn.2004-10.org.example:a");
  });
});

describe("the nvmet target", () => {
  const hosts = ["nqn.2014-08.org.nvmexpress:uuid:a", "nqn.2014-08.org.nvmexpress:uuid:b"];
  const record: ExportRecord = { ...nvmet.newRecord(volume), initiators: hosts };

  it("applies a record with the allowed hosts as arguments and one candidate key per host on stdin", async () => {
    const shell = new RecordingShell(() => "discard=0\ndhchap=0\n");
    expect(await nvmet.apply(shell, record, PATH)).toEqual({ discard: false, dhchap: false });
    const [call] = shell.calls;
    expect(call?.argv).toEqual([
      "sh",
      "-c",
      NVMET_APPLY,
      "sh",
      record.target,
      volume.device,
      "1",
      "0.0.0.0",
      "4420",
      volume.uuid.toLowerCase(),
      PATH,
      HOST_KEYS_DIR,
      ...hosts,
    ]);
    const [line, ...keys] = (call?.stdin ?? "").trimEnd().split("\n");
    expect(line).toBe(JSON.stringify(record));
    expect(keys.map((key) => key.split(" ")[0])).toEqual(hosts);
    for (const key of keys) expect(call?.argv.join(" ")).not.toContain(key.split(" ")[1]);
  });

  it("leaves the namespace uuid to the kernel when the volume's uuid is not an RFC 4122 one", async () => {
    const shell = new RecordingShell();
    await nvmet.apply(shell, { ...record, volumeUuid: "my-volume" }, PATH);
    expect(shell.calls[0]?.argv[9]).toBe("");
  });

  it("returns Cinder's NVMe-oF connection info (v2 portals), without authentication where the kernel has none", async () => {
    const info = await nvmet.connectionInfo(new RecordingShell(), record, { discard: true, dhchap: false }, hosts[0]!);
    expect(info).toEqual({
      driver_volume_type: "nvmeof",
      data: {
        target_nqn: record.target,
        portals: [
          ["127.0.0.1", "14420", "tcp"],
          ["10.0.2.2", "14420", "tcp"],
        ],
        ns_id: 1,
        vol_uuid: volume.uuid,
        host_nqn: hosts[0],
        discard: true,
      },
    });
  });

  it("reads the host's stored DH-HMAC-CHAP key where the kernel has it", async () => {
    const key = "DHHC-1:00:vDJrDf0a0XSIgZvDT7qXKhcsQDqdC0jJN8QbFy3MSXu7lgcO:";
    const shell = new RecordingShell(() => `${key}\n`);
    const info = await nvmet.connectionInfo(shell, record, { discard: true, dhchap: true }, hosts[0]!);
    expect(info.data).toMatchObject({ auth_method: "DH-HMAC-CHAP", host_secret: key });
    expect(shell.calls[0]?.argv).toEqual(["cat", "--", `${HOST_KEYS_DIR}/${hosts[0]}`]);
  });
});

describe("export records", () => {
  const record = lio.grant(lio.newRecord(volume), "iqn.2004-10.org.example:a");
  const reading = (text: string) => readRecord(new RecordingShell(() => text), PATH);

  it("read back as written; no file means not exported", async () => {
    expect(await reading(`${JSON.stringify(record)}\n`)).toEqual(record);
    expect(await reading("")).toBeUndefined();
  });

  it("that do not parse are an error naming the file, never echoing its content", async () => {
    const secret = record.initiatorChap?.["iqn.2004-10.org.example:a"]?.password ?? "";
    const cases: Array<[string, RegExp]> = [
      [`{"chap": "${secret}"`, /is not JSON/],
      [JSON.stringify({ ...record, initiators: ["iqn.2004-10.org.example:$(rm -rf /)"] }), /is malformed/],
      [JSON.stringify({ ...record, protocol: "nvme-tcp" }), /is malformed/],
      [JSON.stringify({ ...record, initiatorChap: {} }), /is malformed \(initiator 'iqn.2004-10.org.example:a' has no CHAP credentials\)/],
    ];
    for (const [text, problem] of cases) {
      const failure = await reading(text).then(
        () => undefined,
        (error: Error) => error,
      );
      expect(failure).toMatchObject({ code: "VolumeBackendAPIException", message: expect.stringMatching(problem) });
      expect(failure?.message).toContain(PATH);
      expect(failure?.message).not.toContain(secret);
    }
  });
});
