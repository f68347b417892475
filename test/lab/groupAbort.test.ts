import type { Backends } from "../../drivers";
import { BackendUnavailable, VolumeIsBusy } from "../../drivers/interface/errors";
import { GroupSnapshotFailed } from "../../drivers/interface/groupDriver";
import type { Group, Volume } from "../../drivers/interface/types";
import { lockPath } from "../../drivers/lvm/core/host";
import { GROUP_SNAPSHOT_LOCK } from "../../drivers/lvm/core/locks";
import { RUN_ROOT } from "../../drivers/lvm/groups/window";
import { lvMapperPath } from "../../drivers/lvm/model/names";
import { newUuid } from "./driverSupport";
import { gateStates, lvsTagged, openGroupDriver, type GroupLabDriver } from "./groupSupport";
import { onHost, onHostOk, unique } from "./support";

const VG = "cinder-volumes";
const PAUSED = "/run/cb-group-abort-paused";
/** Every LVM command takes seconds on an emulated host shared with other guests. */
jest.setTimeout(20 * 60_000);

/**
 * The failure paths of group snapshots on a real host: a snapshot that hangs inside the pause
 * (the watchdog ends the pause), a connection dropped during it (the host finishes the set), a
 * script killed during it with no client left (the watchdog, then the next setup, clean up),
 * and a member used behind its gate (refused before anything is paused). After each, every
 * gate is active and no partial set remains.
 *
 * To make "during the pause" last as long as a test needs, whatever the host's speed, the test
 * takes LVM's own lock of the volume group (flock on /run/lock/lvm/V_<vg>, as LVM does) once
 * the gates are suspended: the lvcreates inside the pause wait for it, as they would for any
 * other LVM command on the VG.
 */
describe("group snapshots that fail or are cut short", () => {
  let backends: Backends;
  let driver: GroupLabDriver;
  const volumes: Volume[] = [];
  let group: Group;
  const cleanup: Array<() => Promise<unknown>> = [];
  const gates = (): string[] => volumes.map((volume) => volume.devicePath.slice("/dev/mapper/".length));

  /**
   * Arms a watcher on the host before the snapshot starts: once the pause begins, it holds the
   * VG's LVM lock for `seconds` in the background, so that a member's snapshot hangs, and writes
   * when the pause began to PAUSED. It reads the gates' `suspended` flags in sysfs with shell
   * builtins only, and it is running before the snapshot is asked for: a watch that starts
   * processes (dmsetup), or that starts along with the snapshot, can notice the pause after a
   * quick host has taken every snapshot, and then nothing hangs.
   */
  const armVgLockHold = async (seconds: number): Promise<void> => {
    const watch =
      `flags=; for d in /sys/block/dm-*; do read -r n < "$d/dm/name"; case " ${gates().join(" ")} " in *" $n "*) flags="$flags $d/dm/suspended" ;; esac; done; ` +
      `touch ${PAUSED}.armed; ` +
      `until s=; for f in $flags; do read -r v < "$f"; [ "$v" = 1 ] && s=1; done; [ -n "$s" ]; do [ "$SECONDS" -lt 300 ] || exit 1; done; ` +
      `flock -x /run/lock/lvm/V_${VG} sleep ${seconds} & date +%s.%N > ${PAUSED}.new && mv ${PAUSED}.new ${PAUSED}; wait`;
    await onHostOk(
      `rm -f ${PAUSED} ${PAUSED}.armed; nohup setsid bash -c '${watch}' >/dev/null 2>&1 </dev/null & ` +
        `for i in $(seq 600); do [ -e ${PAUSED}.armed ] && exit 0; sleep 0.05; done; echo "the pause watcher did not start" >&2; exit 1`,
    );
  };
  /** A host script's start: waits for the armed watcher to see the pause, and sets `$paused` to when it began. */
  const PAUSE_SEEN =
    `for i in $(seq 2400); do [ -s ${PAUSED} ] && break; sleep 0.05; done; ` +
    `[ -s ${PAUSED} ] || { echo "the watcher saw no pause within 120 s" >&2; exit 1; }; paused=$(cat ${PAUSED}); `;

  const expectNothingLeft = async (setName: string): Promise<void> => {
    const states = await gateStates();
    for (const gate of gates()) expect(states.get(gate)).toBe("Active");
    expect(await lvsTagged(`cb.gsnap=${setName}`)).toEqual([]);
    expect((await onHostOk(`ls -A ${RUN_ROOT} 2>/dev/null || true`)).trim()).toBe("");
  };

  beforeAll(async () => {
    ({ backends, driver } = await openGroupDriver());
    for (let index = 0; index < 3; index++) {
      const volume = await driver.createVolume({ uuid: newUuid(), name: unique(`ga-${index}`), sizeGib: 1, provisioning: "thin" });
      cleanup.push(() => driver.deleteVolume(volume.id));
      volumes.push(volume);
    }
    group = await driver.createGroup({ uuid: newUuid(), name: unique("ga"), volumeIds: volumes.map((volume) => volume.id) });
    cleanup.push(() => driver.deleteGroup(group.id, false));
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await backends.close();
  });

  it("ends a pause that a hanging snapshot would prolong at the maximum, abandons the set and keeps nothing of it", async () => {
    const bounded = await openGroupDriver("lab", { groupSnapshotMaxPauseSeconds: 3 });
    try {
      const name = unique("wd");
      await armVgLockHold(15);
      const attempt = bounded.driver.createGroupSnapshot({ uuid: newUuid(), groupId: group.id, name }).catch((error: unknown) => error);
      const [paused, resumed] = (
        await onHostOk(
          `${PAUSE_SEEN}` +
            `for i in $(seq 2400); do dmsetup info -c --noheadings -o suspended ${gates().join(" ")} | grep -q Suspended || break; sleep 0.05; done; ` +
            `echo "$paused $(date +%s.%N)"`,
        )
      )
        .trim()
        .split(" ")
        .map(Number);
      // The watchdog resumed the members after 3 s, although an lvcreate was still waiting for the
      // VG (for 15 s): the bound leaves a loaded TCG guest room (4.6 s was seen at load 5) and
      // stays far from what the hanging snapshot would have made of the pause.
      expect(resumed! - paused!).toBeLessThan(3 + 4);
      const error = await attempt;
      expect(error).toBeInstanceOf(GroupSnapshotFailed);
      expect((error as Error).message).toMatch(/the watchdog ended the pause after 3 s.*members' I\/O was resumed; nothing of the set was kept/);
      expect((error as GroupSnapshotFailed).members.map((member) => member.id).sort()).toEqual([...group.volumeIds].sort());
      await expectNothingLeft(name);
      expect(await driver.findGroupSnapshot(`lab/lab-1/${VG}/${name}`)).toBeUndefined();
    } finally {
      await bounded.backends.close();
    }
  });

  it("finishes the set on the host when the client's connection drops in the middle of the pause", async () => {
    const client = await openGroupDriver();
    const name = unique("drop");
    await armVgLockHold(5);
    const attempt = client.driver.createGroupSnapshot({ uuid: newUuid(), groupId: group.id, name }).catch((error: unknown) => error);
    await onHostOk(PAUSE_SEEN);
    await client.backends.close();
    expect(await attempt).toBeInstanceOf(BackendUnavailable);
    // The host finishes on its own; the lock is free once it has.
    await onHostOk(`flock -w 300 ${lockPath(GROUP_SNAPSHOT_LOCK)} true`);
    const set = await driver.findGroupSnapshot(`lab/lab-1/${VG}/${name}`);
    expect(set?.snapshots.map((snapshot) => snapshot.volumeId)).toEqual(group.volumeIds);
    const states = await gateStates();
    for (const gate of gates()) expect(states.get(gate)).toBe("Active");
    expect(await driver.deleteGroupSnapshot(set!.id)).toHaveLength(3);
  });

  it("with the script killed in the pause and no client left: the watchdog resumes the members, the next setup removes the partial set", async () => {
    const client = await openGroupDriver("lab", { groupSnapshotMaxPauseSeconds: 8 });
    const name = unique("kill");
    await armVgLockHold(12);
    const attempt = client.driver.createGroupSnapshot({ uuid: newUuid(), groupId: group.id, name }).catch((error: unknown) => error);
    await onHostOk(PAUSE_SEEN);
    await client.backends.close();
    expect(await attempt).toBeInstanceOf(BackendUnavailable);
    const [paused, resumed] = (
      await onHostOk(
        `kill -9 $(cat ${RUN_ROOT}/run.*/owner); paused=$(date +%s.%N); ` +
          `dmsetup info -c --noheadings -o suspended ${gates().join(" ")} | grep -q Suspended || { echo "not paused after the kill" >&2; exit 1; }; ` +
          `for i in $(seq 2400); do dmsetup info -c --noheadings -o suspended ${gates().join(" ")} | grep -q Suspended || break; sleep 0.05; done; ` +
          `echo "$paused $(date +%s.%N)"`,
      )
    )
      .trim()
      .split(" ")
      .map(Number);
    expect(resumed! - paused!).toBeLessThan(8 + 1.5);
    // The lvcreate the script started was not killed with it: it finishes once LVM's lock is free.
    await onHostOk(`for i in $(seq 600); do pgrep -f '^lvcreate .*cb[.]gsnap=' >/dev/null || break; sleep 0.1; done`);
    const partial = await lvsTagged(`cb.gsnap=${name}`);
    expect(partial.length).toBeGreaterThan(0);
    expect(partial.every((lv) => lv.tags.includes("cb.incomplete") && !lv.tags.includes("cb.gsnap-complete"))).toBe(true);
    // A process starting afresh (a later `pulumi up`) recovers at setup.
    const next = await openGroupDriver();
    try {
      await next.driver.checkForSetupError();
    } finally {
      await next.backends.close();
    }
    await expectNothingLeft(name);
  });

  it("refuses a member used other than through its gate before pausing anything, changing nothing", async () => {
    const holder = `/run/cb-holder-${Date.now()}`;
    await onHostOk(`nohup setsid sh -c 'echo $$ > ${holder}; exec sleep 120' < ${lvMapperPath(VG, volumes[1]!.lvName)} >/dev/null 2>&1 & sleep 1`);
    try {
      const name = unique("busy");
      const error = await driver.createGroupSnapshot({ uuid: newUuid(), groupId: group.id, name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VolumeIsBusy);
      expect((error as VolumeIsBusy).volumeId).toBe(volumes[1]!.id);
      expect((error as Error).message).toMatch(/refused, nothing was changed: .*open other than through its gate/);
      await expectNothingLeft(name);
    } finally {
      await onHost(`kill $(cat ${holder}); rm -f ${holder}`);
    }
  });
});
