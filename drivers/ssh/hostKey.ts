import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import { SshConfigError } from "./errors";

/** A host key as it travels in SSH: its algorithm name and its wire-format blob. */
export interface PublicKey {
  type: string;
  blob: Buffer;
}

/** What the pinned configuration accepts: whole keys, or fingerprints when only those are known. */
export interface HostKeyPolicy {
  keys: PublicKey[];
  /** Keys marked `@revoked` in known_hosts: refused even when also listed. */
  revoked: PublicKey[];
  fingerprints: string[];
  /** Human description of what is expected, for error messages. */
  describe: string;
}

export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type is the first string inside the blob itself (RFC 4253 §6.6). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** Parses `ssh-ed25519 AAAA... [comment]`; returns undefined for anything else. */
export function parsePublicKeyLine(line: string): PublicKey | undefined {
  const [type, base64] = line.trim().split(/\s+/);
  if (!type || !base64 || !/^[A-Za-z0-9+/]+=*$/.test(base64)) return undefined;
  const blob = Buffer.from(base64, "base64");
  if (keyTypeOf(blob) !== type) return undefined;
  return { type, blob };
}

/**
 * Server host-key algorithms to offer for a pinned key type, so that the host presents the key
 * we pinned rather than another of its keys. (An RSA key is negotiated under SHA-2 names.)
 */
export function hostKeyAlgorithmsFor(types: readonly string[]): string[] {
  const out: string[] = [];
  for (const type of types) {
    if (type === "ssh-rsa") out.push("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa");
    else out.push(type);
  }
  return [...new Set(out)];
}

function hostPatterns(address: string, port: number): string[] {
  return port === 22 ? [address, `[${address}]:22`] : [`[${address}]:${port}`];
}

function matchesHashed(entry: string, candidates: string[]): boolean {
  const [, magic, salt, hash] = entry.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  const key = Buffer.from(salt, "base64");
  return candidates.some((candidate) => createHmac("sha1", key).update(candidate).digest("base64") === hash);
}

/** Keys a known_hosts file lists for this host (plain and hashed entries; marker lines are skipped). */
export function knownHostsKeys(content: string, address: string, port: number): PublicKey[] {
  const candidates = hostPatterns(address, port);
  const keys: PublicKey[] = [];
  for (const raw of content.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith("@")) continue;
    const [hosts, ...rest] = line.split(/\s+/);
    if (!hosts) continue;
    const names = hosts.split(",");
    const matches = names.some((name) => (name.startsWith("|") ? matchesHashed(name, candidates) : candidates.includes(name)));
    if (!matches) continue;
    const key = parsePublicKeyLine(rest.join(" "));
    if (key) keys.push(key);
  }
  return keys;
}

/** Keys a known_hosts file marks `@revoked`: refused for every host, as OpenSSH does. */
export function revokedKeys(content: string): PublicKey[] {
  return content
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("@revoked"))
    .flatMap((line) => {
      const key = parsePublicKeyLine(line.split(/\s+/).slice(2).join(" "));
      return key ? [key] : [];
    });
}

/** Builds the verification policy for one host from its pinned key and/or known_hosts file. */
export async function loadHostKeyPolicy(options: {
  hostKey?: string | undefined;
  knownHostsPath?: string | undefined;
  address: string;
  port: number;
}): Promise<HostKeyPolicy> {
  const keys: PublicKey[] = [];
  const revoked: PublicKey[] = [];
  const fingerprints: string[] = [];
  if (options.hostKey) {
    const pinned = options.hostKey.trim();
    if (/^SHA256:[A-Za-z0-9+/]+=*$/.test(pinned)) {
      fingerprints.push(pinned.replace(/=+$/, ""));
    } else {
      const key = parsePublicKeyLine(pinned);
      if (!key) {
        throw new SshConfigError("hostKey is neither an OpenSSH public key line (`ssh-ed25519 AAAA...`) nor a SHA256: fingerprint");
      }
      keys.push(key);
    }
  }
  if (options.knownHostsPath) {
    let content: string;
    try {
      content = await readFile(options.knownHostsPath, "utf8");
    } catch (error) {
      throw new SshConfigError(`cannot read known_hosts file ${options.knownHostsPath}`, undefined, { cause: error });
    }
    const found = knownHostsKeys(content, options.address, options.port);
    if (found.length === 0 && fingerprints.length === 0 && keys.length === 0) {
      throw new SshConfigError(
        `${options.knownHostsPath} has no key for ${hostPatterns(options.address, options.port)[0]}; ` + "add one (ssh-keyscan) or pin hostKey",
      );
    }
    keys.push(...found);
    revoked.push(...revokedKeys(content));
  }
  const described = [...keys.map((key) => `${key.type} ${fingerprint(key.blob)}`), ...fingerprints];
  return { keys, revoked, fingerprints, describe: described.join(" or ") };
}

export function acceptsKey(policy: HostKeyPolicy, blob: Buffer): boolean {
  if (policy.revoked.some((key) => key.blob.equals(blob))) return false;
  if (policy.keys.some((key) => key.blob.equals(blob))) return true;
  return policy.fingerprints.includes(fingerprint(blob));
}
