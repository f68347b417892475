import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SshConfigError } from "../../../../drivers/ssh/errors";
import {
  acceptsKey,
  fingerprint,
  hostKeyAlgorithmsFor,
  knownHostsKeys,
  loadHostKeyPolicy,
  parsePublicKeyLine,
  type PublicKey,
} from "../../../../drivers/ssh/hostKey";
import { generateSshKeyPair } from "../../../fakes/sshServer";

const ed25519 = generateSshKeyPair().public;
const other = generateSshKeyPair().public;
const ecdsa = generateSshKeyPair("ecdsa").public;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cinderblock-hostkey-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function parsed(line: string): PublicKey {
  const key = parsePublicKeyLine(line);
  if (!key) throw new Error(`test key does not parse: ${line}`);
  return key;
}

/** The blobs of the keys, as base64, for readable comparisons. */
function blobs(keys: readonly PublicKey[]): string[] {
  return keys.map((key) => key.blob.toString("base64"));
}

describe("parsePublicKeyLine", () => {
  it("parses an OpenSSH public key line with a comment", () => {
    const key = parsed(`${ed25519} root@store-1`);
    expect(key.type).toBe("ssh-ed25519");
    expect(key.blob.toString("base64")).toBe(ed25519.split(" ")[1]);
  });

  it("parses an ecdsa key", () => {
    expect(parsed(ecdsa).type).toBe("ecdsa-sha2-nistp256");
  });

  it.each([
    ["an empty line", ""],
    ["a lone key type", "ssh-ed25519"],
    ["text that is not base64", "ssh-ed25519 not*base64"],
    ["a type that does not match the blob", `ssh-rsa ${ed25519.split(" ")[1]}`],
  ])("returns undefined for %s", (_label, line) => {
    expect(parsePublicKeyLine(line)).toBeUndefined();
  });
});

describe("fingerprint", () => {
  it("matches ssh-keygen -lf: SHA256: and unpadded base64", () => {
    const path = writeTemp("key.pub", `${ed25519} test\n`);
    const fromKeygen = execFileSync("ssh-keygen", ["-lf", path], { encoding: "utf8" }).split(" ")[1];
    const ours = fingerprint(parsed(ed25519).blob);
    expect(ours).toBe(fromKeygen);
    expect(ours).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe("hostKeyAlgorithmsFor", () => {
  it("offers an RSA key under its SHA-2 signature names first", () => {
    expect(hostKeyAlgorithmsFor(["ssh-rsa"])).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
  });

  it("passes other key types through once each, in order", () => {
    expect(hostKeyAlgorithmsFor(["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-ed25519"])).toEqual(["ssh-ed25519", "ecdsa-sha2-nistp256"]);
  });
});

describe("knownHostsKeys", () => {
  it("finds a plain [address]:port entry for a non-standard port", () => {
    const content = `[127.0.0.1]:2222 ${ed25519}\n127.0.0.1 ${other}\n`;
    expect(blobs(knownHostsKeys(content, "127.0.0.1", 2222))).toEqual(blobs([parsed(ed25519)]));
  });

  it("finds a bare host entry for port 22 but not for another port", () => {
    const content = `store-1 ${ed25519}\n`;
    expect(knownHostsKeys(content, "store-1", 22)).toHaveLength(1);
    expect(knownHostsKeys(content, "store-1", 2222)).toHaveLength(0);
  });

  it("finds an entry whose host field is a comma list", () => {
    const content = `store-1,10.0.0.5,[10.0.0.5]:2222 ${ed25519}\n`;
    expect(knownHostsKeys(content, "10.0.0.5", 22)).toHaveLength(1);
    expect(knownHostsKeys(content, "10.0.0.5", 2222)).toHaveLength(1);
    expect(knownHostsKeys(content, "10.0.0.6", 22)).toHaveLength(0);
  });

  it("finds entries hashed by ssh-keygen -H, for port 22 and another port", () => {
    const plain = writeTemp("known_hosts_plain", `10.0.0.5 ${ed25519}\n[10.0.0.5]:2222 ${other}\n`);
    const hashedPath = join(dir, "known_hosts_hashed");
    copyFileSync(plain, hashedPath);
    execFileSync("ssh-keygen", ["-H", "-f", hashedPath], { stdio: "ignore" });
    const hashed = readFileSync(hashedPath, "utf8");
    expect(hashed).toMatch(/^\|1\|/m);
    expect(hashed).not.toContain("10.0.0.5");
    expect(blobs(knownHostsKeys(hashed, "10.0.0.5", 22))).toEqual(blobs([parsed(ed25519)]));
    expect(blobs(knownHostsKeys(hashed, "10.0.0.5", 2222))).toEqual(blobs([parsed(other)]));
    expect(knownHostsKeys(hashed, "10.0.0.6", 22)).toHaveLength(0);
  });

  it("ignores @revoked and @cert-authority lines, comments and blank lines", () => {
    const content = [`# store-1 ${other}`, "", `@revoked store-1 ${other}`, `@cert-authority store-1 ${other}`, `store-1 ${ed25519}`].join("\n");
    expect(blobs(knownHostsKeys(content, "store-1", 22))).toEqual(blobs([parsed(ed25519)]));
  });

  it("skips entries whose key does not parse", () => {
    expect(knownHostsKeys("store-1 ssh-ed25519 garbage!\n", "store-1", 22)).toHaveLength(0);
  });
});

describe("loadHostKeyPolicy", () => {
  it("accepts exactly the pinned public key", async () => {
    const policy = await loadHostKeyPolicy({ hostKey: ed25519, address: "h", port: 22 });
    expect(acceptsKey(policy, parsed(ed25519).blob)).toBe(true);
    expect(acceptsKey(policy, parsed(other).blob)).toBe(false);
    expect(policy.describe).toBe(`ssh-ed25519 ${fingerprint(parsed(ed25519).blob)}`);
  });

  it("accepts a key by a pinned SHA256: fingerprint, with or without padding", async () => {
    const print = fingerprint(parsed(ed25519).blob);
    const policy = await loadHostKeyPolicy({ hostKey: `${print}=`, address: "h", port: 22 });
    expect(policy.fingerprints).toEqual([print]);
    expect(acceptsKey(policy, parsed(ed25519).blob)).toBe(true);
    expect(acceptsKey(policy, parsed(other).blob)).toBe(false);
  });

  it("rejects a garbage hostKey with SshConfigError", async () => {
    await expect(loadHostKeyPolicy({ hostKey: "not a key", address: "h", port: 22 })).rejects.toBeInstanceOf(SshConfigError);
  });

  it("reads the host's keys from a known_hosts file", async () => {
    const path = writeTemp("known_hosts_ok", `[127.0.0.1]:2222 ${ed25519}\n`);
    const policy = await loadHostKeyPolicy({ knownHostsPath: path, address: "127.0.0.1", port: 2222 });
    expect(acceptsKey(policy, parsed(ed25519).blob)).toBe(true);
  });

  it("rejects a known_hosts file without the host, naming the host and the file", async () => {
    const path = writeTemp("known_hosts_other", `[127.0.0.1]:2222 ${ed25519}\n`);
    const attempt = loadHostKeyPolicy({ knownHostsPath: path, address: "127.0.0.1", port: 2223 });
    await expect(attempt).rejects.toBeInstanceOf(SshConfigError);
    await expect(attempt).rejects.toThrow(`${path} has no key for [127.0.0.1]:2223`);
  });

  it("rejects a known_hosts file that cannot be read with SshConfigError naming it", async () => {
    const path = join(dir, "does-not-exist");
    const attempt = loadHostKeyPolicy({ knownHostsPath: path, address: "h", port: 22 });
    await expect(attempt).rejects.toBeInstanceOf(SshConfigError);
    await expect(attempt).rejects.toThrow(`cannot read known_hosts file ${path}`);
  });
});
