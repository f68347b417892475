import { z } from "zod";
import { CAPABILITY_METHODS, DRIVER_ATTRIBUTES, type Capability } from "../../../drivers/interface/capabilities";
import type { VolumeDataAccess } from "../../../drivers/interface/dataAccess";
import { NotSupported } from "../../../drivers/interface/errors";
import type { BackendStats, Snapshot, SnapshotId, SnapshotSpec, Volume, VolumeId, VolumeMetadata, VolumeSpec } from "../../../drivers/interface/types";
import type { VolumeDriverCore } from "../../../drivers/interface/volumeDriver";
import {
  checkDriverShape,
  DriverRegistrationError,
  findDriver,
  registerDriver,
  registeredDrivers,
  unregisterDriver,
  volumeDriver,
} from "../../../drivers/registry";

const notImplemented = (): Promise<never> => Promise.reject(new NotSupported("fake driver"));

/** Every core and data-access method, each taking exactly the parameters the contract passes. */
class FakeDriver implements VolumeDriverCore, VolumeDataAccess {
  readonly version = "0.0.1";
  readonly ciWikiName = "cinderblock_fake_CI";
  readonly driverName = "Fake";
  readonly description = "Implements the shape of the contract and nothing else.";

  constructor(readonly backend: string) {}

  doSetup(): Promise<void> {
    return notImplemented();
  }
  checkForSetupError(): Promise<void> {
    return notImplemented();
  }
  getVolumeStats(_refresh?: boolean): Promise<BackendStats> {
    return notImplemented();
  }
  createVolume(_spec: VolumeSpec): Promise<Volume> {
    return notImplemented();
  }
  findVolume(_id: VolumeId): Promise<Volume | undefined> {
    return notImplemented();
  }
  listVolumes(): Promise<Volume[]> {
    return notImplemented();
  }
  deleteVolume(_id: VolumeId): Promise<void> {
    return notImplemented();
  }
  updateVolume(_id: VolumeId, _changes: VolumeMetadata): Promise<Volume> {
    return notImplemented();
  }
  extendVolume(_id: VolumeId, _newSizeGib: number): Promise<Volume> {
    return notImplemented();
  }
  createSnapshot(_spec: SnapshotSpec): Promise<Snapshot> {
    return notImplemented();
  }
  findSnapshot(_id: SnapshotId): Promise<Snapshot | undefined> {
    return notImplemented();
  }
  listSnapshots(): Promise<Snapshot[]> {
    return notImplemented();
  }
  deleteSnapshot(_id: SnapshotId): Promise<void> {
    return notImplemented();
  }
  createVolumeFromSnapshot(_spec: VolumeSpec, _snapshotId: SnapshotId): Promise<Volume> {
    return notImplemented();
  }
  createClonedVolume(_spec: VolumeSpec, _sourceId: VolumeId): Promise<Volume> {
    return notImplemented();
  }
  close(): Promise<void> {
    return notImplemented();
  }
  writeData(_volumeId: VolumeId, _offsetBytes: number, _data: Buffer): Promise<void> {
    return notImplemented();
  }
  readData(_target: { volumeId: VolumeId }, _offsetBytes: number, _length: number): Promise<Buffer> {
    return notImplemented();
  }
}

const DECLARED = ["core", "dataAccess"] as const satisfies readonly Capability[];
const configSchema = z.object({ driver: z.literal("fake") });

/** A subclass of FakeDriver whose prototype has `member` replaced by `value`. */
function variant(member: string, value: unknown): typeof FakeDriver {
  class Variant extends FakeDriver {}
  Object.defineProperty(Variant.prototype, member, { value, writable: true, configurable: true });
  return Variant;
}

/** A method that declares `count` required parameters. */
function takingParameters(count: number): () => Promise<never> {
  const method = (): Promise<never> => notImplemented();
  Object.defineProperty(method, "length", { value: count });
  return method;
}

/** [capability, method, parameters the contract passes] for every method FakeDriver declares. */
const METHODS = DECLARED.flatMap((capability) =>
  Object.entries(CAPABILITY_METHODS[capability] as Record<string, number>).map(([method, arity]) => [capability, method, arity] as const),
);

describe("checkDriverShape", () => {
  it("finds no problem with a complete driver's prototype or instance", () => {
    expect(checkDriverShape(FakeDriver.prototype, DECLARED, { attributes: false })).toEqual([]);
    expect(checkDriverShape(new FakeDriver("fake"), DECLARED, { attributes: true })).toEqual([]);
  });

  it.each(METHODS)("reports a missing %s method %s", (capability, method) => {
    expect(checkDriverShape(variant(method, undefined).prototype, DECLARED, { attributes: false })).toEqual([
      { capability, member: method, problem: "is missing" },
    ]);
  });

  it.each(METHODS)("reports %s method %s taking a required parameter beyond the %p the contract passes", (capability, method, arity) => {
    expect(checkDriverShape(variant(method, takingParameters(arity + 1)).prototype, DECLARED, { attributes: false })).toEqual([
      { capability, member: method, problem: `takes ${arity + 1} required parameters, the contract passes ${arity}` },
    ]);
  });

  it("accepts a method with an extra optional parameter", () => {
    const extend = function (_id: string, _size: number, _options = {}) {
      return notImplemented();
    };
    expect(checkDriverShape(variant("extendVolume", extend).prototype, DECLARED, { attributes: false })).toEqual([]);
  });

  it("reports a member that is there but is not a function", () => {
    expect(checkDriverShape(variant("close", "later").prototype, DECLARED, { attributes: false })).toEqual([
      { capability: "core", member: "close", problem: "is missing" },
    ]);
  });

  it.each(
    Object.keys(DRIVER_ATTRIBUTES).flatMap((attribute) => [
      [attribute, undefined],
      [attribute, ""],
      [attribute, "  "],
      [attribute, 1],
    ]),
  )("reports the attribute %s when it is %p", (attribute, value) => {
    const driver = Object.assign(new FakeDriver("fake"), { [attribute]: value });
    expect(checkDriverShape(driver, DECLARED, { attributes: true })).toEqual([
      { capability: "attributes", member: attribute, problem: "must be a non-empty string" },
    ]);
  });

  it("checks attributes only when asked", () => {
    expect(checkDriverShape(Object.assign(new FakeDriver("fake"), { version: "" }), DECLARED, { attributes: false })).toEqual([]);
  });

  it.each<[Capability[], Capability[]]>([
    [["core"], ["dataAccess"]],
    [["dataAccess"], ["core"]],
    [[], ["core", "dataAccess"]],
  ])("reports the required capabilities missing from %p", (declared, missing) => {
    expect(checkDriverShape(FakeDriver.prototype, declared, { attributes: false })).toEqual(
      missing.map((capability) => ({ capability, member: "*", problem: "required capability is not declared" })),
    );
  });

  it("checks every method of an extra declared capability", () => {
    const problems = checkDriverShape(FakeDriver.prototype, [...DECLARED, "export"], { attributes: false });
    expect(problems).toEqual(Object.keys(CAPABILITY_METHODS.export).map((member) => ({ capability: "export", member, problem: "is missing" })));
  });
});

describe("registerDriver", () => {
  const NAMES = ["fake-complete", "fake-broken", "fake-decorated"];
  afterEach(() => NAMES.forEach(unregisterDriver));

  it("registers a complete driver under its name", () => {
    registerDriver({ name: "fake-complete", capabilities: DECLARED, configSchema, driverClass: FakeDriver });
    expect(findDriver("fake-complete")?.driverClass).toBe(FakeDriver);
    expect(registeredDrivers().map((driver) => driver.name)).toContain("fake-complete");
  });

  it("throws DriverRegistrationError for a class missing a declared method, and registers nothing", () => {
    const register = () => registerDriver({ name: "fake-broken", capabilities: DECLARED, configSchema, driverClass: variant("deleteVolume", undefined) });
    expect(register).toThrow(DriverRegistrationError);
    expect(register).toThrow("driver 'fake-broken' does not implement what it declares: core.deleteVolume is missing");
    expect(findDriver("fake-broken")).toBeUndefined();
  });

  it("lists every problem in the error", () => {
    const broken = variant("readData", takingParameters(4));
    Object.defineProperty(broken.prototype, "doSetup", { value: undefined });
    let thrown: unknown;
    try {
      registerDriver({ name: "fake-broken", capabilities: DECLARED, configSchema, driverClass: broken });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DriverRegistrationError);
    expect((thrown as DriverRegistrationError).problems.map((problem) => problem.member)).toEqual(["doSetup", "readData"]);
  });

  it("accepts the same class twice but refuses another class under a taken name", () => {
    registerDriver({ name: "fake-complete", capabilities: DECLARED, configSchema, driverClass: FakeDriver });
    expect(() => registerDriver({ name: "fake-complete", capabilities: DECLARED, configSchema, driverClass: FakeDriver })).not.toThrow();
    expect(() => registerDriver({ name: "fake-complete", capabilities: DECLARED, configSchema, driverClass: variant("close", takingParameters(0)) })).toThrow(
      DriverRegistrationError,
    );
    expect(findDriver("fake-complete")?.driverClass).toBe(FakeDriver);
  });

  it("is also available as a class decorator", () => {
    @volumeDriver({ name: "fake-decorated", capabilities: DECLARED, configSchema })
    class Decorated extends FakeDriver {}
    expect(findDriver("fake-decorated")?.driverClass).toBe(Decorated);
  });
});
