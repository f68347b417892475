import { ZodError } from "zod";
import { describeTarget, parseSshTarget } from "../../../../drivers/ssh/target";

const hostKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE+HTQlmVe+LlNmmXT14PHEm36RzfDr7sM1VqEAT5Oo9";
const valid = { address: "store-1.example.com", hostKey, privateKeyPath: "/keys/id_ed25519" };

/** The message of the error `parseSshTarget(input)` throws. */
function rejection(input: unknown): string {
  try {
    parseSshTarget(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ZodError);
    return (error as Error).message;
  }
  throw new Error("parseSshTarget accepted the input");
}

describe("parseSshTarget", () => {
  it("fills in port 22, user root, sudo off and a 15 s connect timeout", () => {
    expect(parseSshTarget(valid)).toEqual({ ...valid, port: 22, user: "root", sudo: false, connectTimeoutMs: 15_000 });
  });

  it("takes a keepalive interval and count (what bounds the wait on a hung host) within limits, and leaves them to the pool when absent", () => {
    expect(parseSshTarget({ ...valid, keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 })).toMatchObject({ keepaliveIntervalMs: 2_000, keepaliveCountMax: 3 });
    expect(parseSshTarget(valid)).not.toHaveProperty("keepaliveIntervalMs");
    expect(rejection({ ...valid, keepaliveIntervalMs: 100 })).toContain("keepaliveIntervalMs");
    expect(rejection({ ...valid, keepaliveCountMax: 0 })).toContain("keepaliveCountMax");
  });

  it("accepts an IPv4 or IPv6 address and a knownHostsPath instead of a pinned key", () => {
    expect(parseSshTarget({ address: "10.0.0.5", knownHostsPath: "/k", password: "pw-valid-1" }).address).toBe("10.0.0.5");
    expect(parseSshTarget({ ...valid, address: "fd00::5" }).address).toBe("fd00::5");
  });

  it("rejects a target without hostKey or knownHostsPath, saying a host key is required", () => {
    expect(rejection({ address: "h", privateKeyPath: "/k" })).toMatch(/host ?key/i);
  });

  it("rejects a target without any authentication method", () => {
    expect(rejection({ address: "h", hostKey })).toContain("no authentication method");
  });

  it.each([0, 65536, 22.5, "22"])("rejects port %p", (port) => {
    expect(rejection({ ...valid, port })).toContain("port");
  });

  it.each(["bad host", "-leading.dash", "host_name", "", "a..b", "x".repeat(254)])("rejects host name %p", (address) => {
    expect(rejection({ ...valid, address })).toContain("address");
  });

  it.each(["root; rm", "1user", "a b", "x".repeat(33), ""])("rejects user %p", (user) => {
    expect(rejection({ ...valid, user })).toContain("user");
  });

  it("rejects unknown fields", () => {
    expect(rejection({ ...valid, hostkey: hostKey })).toContain("hostkey");
  });

  it("does not echo a password into the validation error", () => {
    const password = "pw-never-shown-7";
    const message = rejection({ address: "bad host", port: 0, user: "a b", password });
    expect(message).not.toContain(password);
  });
});

describe("describeTarget", () => {
  it("writes user@host:port, bracketing IPv6 addresses", () => {
    expect(describeTarget({ user: "root", address: "10.0.0.5", port: 22 })).toBe("root@10.0.0.5:22");
    expect(describeTarget({ user: "ops", address: "fd00::5", port: 2222 })).toBe("ops@[fd00::5]:2222");
  });
});
