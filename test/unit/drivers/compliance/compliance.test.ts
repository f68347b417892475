import { checkCompliance } from "../../../../drivers/compliance/compliance";
import { silentLogger } from "../../../../drivers/log";
import { lvmBackendSchema } from "../../../../drivers/lvm/config";
import { LvmDriver } from "../../../../drivers/lvm/driver";
import { DriverRegistrationError, registerDriver, unregisterDriver, type DriverRegistration } from "../../../../drivers/registry";
import { SshPool } from "../../../../drivers/ssh/exec";

/** A driver that lost a method it declares: it must neither register nor pass compliance. */
class NoCloneDriver extends LvmDriver {}
Object.defineProperty(NoCloneDriver.prototype, "createClonedVolume", { value: undefined });

const backend = {
  name: "nowhere",
  config: { driver: "lvm", hosts: [{ name: "h1", address: "192.0.2.1", privateKey: "x".repeat(40), hostKey: "SHA256:abcd" }] },
};

describe("compliance of a driver with a missing method", () => {
  afterEach(() => unregisterDriver("no-clone"));

  it("cannot register", () => {
    expect(() =>
      registerDriver({ name: "no-clone", capabilities: ["core", "dataAccess"], configSchema: lvmBackendSchema, driverClass: NoCloneDriver }),
    ).toThrow(DriverRegistrationError);
  });

  it("fails the shape check and is not run against a backend", async () => {
    const registration: DriverRegistration = {
      name: "no-clone",
      capabilities: ["core", "dataAccess"],
      configSchema: lvmBackendSchema,
      driverClass: NoCloneDriver,
    } as DriverRegistration;
    const ssh = new SshPool();
    try {
      const report = await checkCompliance(registration, backend, { logger: silentLogger, ssh });
      expect(report.passed).toBe(false);
      expect(report.shape).toEqual([{ capability: "core", member: "createClonedVolume", problem: "is missing" }]);
      expect(report.behaviour).toBeUndefined();
      expect(ssh.connectionCount).toBe(0);
    } finally {
      ssh.close();
    }
  });
});
