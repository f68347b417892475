import {
  BackendUnavailable,
  InvalidInput,
  VolumeAlreadyExists,
  VolumeBackendAPIException,
  VolumeSizeExceedsAvailableQuota,
} from "../../../../../drivers/interface/errors";
import { isLvmNotFound, isLvmSegfault, toDriverError } from "../../../../../drivers/lvm/core/errors";
import { SshConnectError } from "../../../../../drivers/ssh/errors";
import { capturedError, capturedExitCode, capturedStderr, commandError, type CapturedFailure } from "../../../../fakes/lvmFixtures";

const NOT_FOUND: CapturedFailure[] = ["lvs-notfound", "vgs-notfound", "lvremove-notfound"];

describe("isLvmNotFound", () => {
  it.each(NOT_FOUND)("is true for the captured %s failure (exit 5 and LVM's message)", (name) => {
    expect(capturedExitCode(name)).toBe(5);
    expect(isLvmNotFound(capturedError(name))).toBe(true);
  });

  it.each([
    ["exit 5 with the 'already exists' message", commandError({ exitCode: 5, stderr: capturedStderr("lvcreate-exists") })],
    ["exit 5 with the 'insufficient free space' message", commandError({ exitCode: 5, stderr: capturedStderr("lvcreate-nospace") })],
    ["exit 5 with no stderr", commandError({ exitCode: 5, stderr: "" })],
    ["exit 1 with the not-found message", commandError({ exitCode: 1, stderr: capturedStderr("lvs-notfound") })],
    ["exit 0 with the not-found message", commandError({ exitCode: 0, stderr: capturedStderr("vgs-notfound") })],
    ["no exit status with the not-found message", commandError({ exitCode: undefined, stderr: capturedStderr("lvs-notfound") })],
    ["a plain Error with the not-found message", new Error(capturedStderr("lvs-notfound"))],
    ["the not-found message as a string", capturedStderr("lvs-notfound")],
    ["undefined", undefined],
  ])("is false for %s", (_what, error) => {
    expect(isLvmNotFound(error)).toBe(false);
  });
});

describe("isLvmSegfault", () => {
  it("is true only for a command that exited 139", () => {
    expect(isLvmSegfault(commandError({ exitCode: 139, stderr: "" }))).toBe(true);
    expect(isLvmSegfault(commandError({ exitCode: 5, stderr: "" }))).toBe(false);
    expect(isLvmSegfault(new Error("exit 139"))).toBe(false);
  });
});

describe("toDriverError", () => {
  it("maps the captured 'insufficient free space' failure to VolumeSizeExceedsAvailableQuota naming the host", () => {
    const cause = capturedError("lvcreate-nospace");
    const error = toDriverError(cause, "creating volume-1");
    expect(error).toBeInstanceOf(VolumeSizeExceedsAvailableQuota);
    expect(error.message).toBe(
      'creating volume-1: not enough free space on lab-1 (Volume group "cinder-volumes" has insufficient free space (992 extents): 25600 required.)',
    );
    expect(error.cause).toBe(cause);
  });

  it.each([
    ["a full thin pool", "  Cannot create new thin volume, free space in thin pool cinder-volumes/cinder-volumes-pool reached threshold.\n"],
    ["too few extents", "  Insufficient suitable allocatable extents for logical volume volume-1: 25600 more required\n"],
  ])("maps %s to VolumeSizeExceedsAvailableQuota", (_what, stderr) => {
    expect(toDriverError(commandError({ exitCode: 5, stderr }), "creating")).toBeInstanceOf(VolumeSizeExceedsAvailableQuota);
  });

  it("maps the captured 'already exists' failure to VolumeAlreadyExists with LVM's line", () => {
    const cause = capturedError("lvcreate-exists");
    const error = toDriverError(cause, "creating fx-d810-thick");
    expect(error).toBeInstanceOf(VolumeAlreadyExists);
    expect(error.message).toBe('creating fx-d810-thick: Logical Volume "fx-d810-thick" already exists in volume group "cinder-volumes"');
    expect(error.cause).toBe(cause);
  });

  it("quotes the first line that is not a WARNING", () => {
    const stderr = `  WARNING: Sum of all thin volume sizes exceeds the size of thin pools.\n${capturedStderr("lvcreate-nospace")}`;
    expect(toDriverError(commandError({ exitCode: 5, stderr }), "creating").message).toContain('(Volume group "cinder-volumes" has insufficient');
  });

  it("maps an SshConnectError to BackendUnavailable for its destination", () => {
    const cause = new SshConnectError("root@10.0.0.7:22", "connect ECONNREFUSED");
    const error = toDriverError(cause, "listing volumes");
    expect(error).toBeInstanceOf(BackendUnavailable);
    expect(error).toMatchObject({ host: "root@10.0.0.7:22", message: "listing volumes: cannot connect to root@10.0.0.7:22: connect ECONNREFUSED" });
    expect(error.cause).toBe(cause);
  });

  it.each([
    ["a not-found failure", capturedError("lvs-notfound")],
    ["a command killed by a signal", commandError({ exitCode: undefined, stderr: "" })],
    ["an unrelated failure", commandError({ exitCode: 3, stderr: "  Device /dev/vdb excluded by a filter.\n" })],
  ])("maps %s to VolumeBackendAPIException with the short message and the cause kept", (_what, cause) => {
    const error = toDriverError(cause, "doing it");
    expect(error).toBeInstanceOf(VolumeBackendAPIException);
    expect(error.message).toBe(`doing it: ${cause.shortMessage}`);
    expect(error.cause).toBe(cause);
  });

  it("maps any other thrown value to VolumeBackendAPIException with the cause kept", () => {
    const cause = new TypeError("x is undefined");
    const error = toDriverError(cause, "doing it");
    expect(error).toBeInstanceOf(VolumeBackendAPIException);
    expect(error).toMatchObject({ message: "doing it: x is undefined", cause });
    expect(toDriverError("a string", "doing it").message).toBe("doing it: a string");
  });

  it("returns a DriverError unchanged", () => {
    const error = new InvalidInput("bad");
    expect(toDriverError(error, "doing it")).toBe(error);
  });
});
