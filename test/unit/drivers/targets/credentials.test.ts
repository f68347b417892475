import { crc32 } from "node:zlib";
import { redact } from "../../../../drivers/ssh/redact";
import { CHAP_ALPHABET, DHCHAP_KEY, generateChapCredentials, generateDhchapKey } from "../../../../drivers/targets/credentials";

describe("CHAP credentials", () => {
  const samples = Array.from({ length: 200 }, () => generateChapCredentials());

  it("are Cinder's: a 20-character user name and a 16-character secret from its unambiguous alphabet", () => {
    for (const { username, password } of samples) {
      expect(username).toHaveLength(20);
      expect(password).toHaveLength(16);
      expect([...username, ...password].every((char) => CHAP_ALPHABET.includes(char))).toBe(true);
    }
    expect(CHAP_ALPHABET).not.toMatch(/[01IOl]/);
  });

  it("have at least one digit, one upper-case and one lower-case letter each", () => {
    for (const { username, password } of samples) {
      for (const value of [username, password]) expect(value).toMatch(/^(?=.*[2-9])(?=.*[A-Z])(?=.*[a-z])/);
    }
  });

  it("are random: no two of the samples share a secret", () => {
    expect(new Set(samples.map((sample) => sample.password)).size).toBe(samples.length);
  });

  it("register the secret for redaction as soon as they are made", () => {
    const { password } = generateChapCredentials();
    expect(redact(`login with ${password}`)).toBe("login with [redacted]");
  });
});

describe("DH-HMAC-CHAP keys", () => {
  it("are DHHC-1:00:<base64 of 32 random bytes and their CRC-32, little-endian>:", () => {
    const key = generateDhchapKey();
    expect(key).toMatch(DHCHAP_KEY);
    const [, transform, body] = /^DHHC-1:(\d\d):(.+):$/.exec(key) ?? [];
    expect(transform).toBe("00");
    const bytes = Buffer.from(body ?? "", "base64");
    expect(bytes).toHaveLength(36);
    expect(bytes.readUInt32LE(32)).toBe(crc32(bytes.subarray(0, 32)));
  });

  it("are registered for redaction and differ every time", () => {
    const [a, b] = [generateDhchapKey(), generateDhchapKey()];
    expect(a).not.toBe(b);
    expect(redact(a)).toBe("[redacted]");
  });
});
