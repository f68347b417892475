import { IQN_PREFIX, NQN_PREFIX, checkConnector, joinPortal, splitPortal } from "../../../../drivers/targets";
import { isIqn, isNqn, targetName } from "../../../../drivers/targets/identifiers";

describe("iSCSI names", () => {
  it.each([
    "iqn.2004-10.org.example:client-a",
    "iqn.1994-05.com.redhat:5e4e8a7c9d",
    "iqn.2010-10.org.openstack",
    "eui.02004567A425678D",
    "naa.52004567BA64678D",
  ])("accepts %s", (name) => expect(isIqn(name)).toBe(true));

  it.each([
    "IQN.2004-10.org.example:a",
    "iqn.2004-13.org.example:a",
    "iqn.2004-10.org.example:a b",
    "iqn.2004-10.org.example:../x",
    "iqn.2004-10.org.example:a/b",
    "eui.123",
    `iqn.2004-10.org.example:${"a".repeat(220)}`,
  ])("refuses %s", (name) => expect(isIqn(name)).toBe(false));
});

describe("NVMe qualified names", () => {
  it.each(["nqn.2014-08.org.nvmexpress:uuid:0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c", "nqn.2025-01.dev.cinderblock:volume-x"])("accepts %s", (name) =>
    expect(isNqn(name)).toBe(true),
  );

  it.each([
    "nqn.2014-08.org.nvmexpress",
    "nqn.2014-08.org.nvmexpress:a b",
    "nqn.2014-08.org.nvmexpress:../x",
    "nqn.2014-08.org.nvmexpress:a/b",
    "iqn.2014-08.org.example:a",
  ])("refuses %s", (name) => expect(isNqn(name)).toBe(false));
});

describe("target names", () => {
  it("are the prefix, ':volume-' and the volume's uuid in lower case", () => {
    expect(targetName("iqn.2025-01.dev.cinderblock", "0F5D2C9E-2B7A")).toBe("iqn.2025-01.dev.cinderblock:volume-0f5d2c9e-2b7a");
    expect(isIqn(targetName("iqn.2025-01.dev.cinderblock", "0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c"))).toBe(true);
    expect(isNqn(targetName("nqn.2025-01.dev.cinderblock", "0f5d2c9e-2b7a-4a55-9d0b-1d2e3f4a5b6c"))).toBe(true);
  });

  it("refuse to exceed 223 bytes", () => {
    expect(() => targetName(`iqn.2025-01.${"a".repeat(200)}`, "u".repeat(30))).toThrow(/longer than 223/);
  });

  it("take prefixes without a colon, in lower case", () => {
    expect(IQN_PREFIX.test("iqn.2025-01.dev.cinderblock")).toBe(true);
    expect(IQN_PREFIX.test("iqn.2010-10.org.openstack:")).toBe(false);
    expect(NQN_PREFIX.test("nqn.2025-01.Dev.cinderblock")).toBe(false);
  });
});

describe("connectors", () => {
  it("are accepted with a host name and well-formed initiator names and address", () => {
    expect(() =>
      checkConnector({ host: "web-1", initiator: "iqn.2004-10.org.example:web-1", nqn: "nqn.2014-08.org.nvmexpress:uuid:1", ip: "fd00::5" }),
    ).not.toThrow();
  });

  it.each([
    [{ host: "" }, /connector.host/],
    [{ host: "a b" }, /connector.host/],
    [{ host: "web", initiator: "iqn.2004-10.org.example:$(reboot)" }, /connector.initiator .* is not an iSCSI name/],
    [{ host: "web", nqn: "nqn.2014-08.org.nvmexpress:a;b" }, /connector.nqn .* is not an NVMe qualified name/],
    [{ host: "web", ip: "10.0.0.300" }, /connector.ip/],
  ])("refuses %j as InvalidConnector", (connector, message) => {
    expect(() => checkConnector(connector)).toThrow(expect.objectContaining({ code: "InvalidConnector", message: expect.stringMatching(message) }));
  });
});

describe("portals", () => {
  it.each([
    ["10.0.0.5:3260", { address: "10.0.0.5", port: "3260" }],
    ["storage-1.example:4420", { address: "storage-1.example", port: "4420" }],
    ["[fd00::5]:3260", { address: "fd00::5", port: "3260" }],
  ])("split %s and join back", (portal, parts) => {
    expect(splitPortal(portal)).toEqual(parts);
    expect(joinPortal(parts.address, parts.port)).toBe(portal);
  });

  it.each(["10.0.0.5", "10.0.0.5:0", "10.0.0.5:70000", "fd00::5:3260", ":3260"])("refuses %s", (portal) => {
    expect(() => splitPortal(portal)).toThrow(/must be address:port/);
  });
});
