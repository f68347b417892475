import { randomBytes, randomInt } from "node:crypto";
import { crc32 } from "node:zlib";
import { registerSecret } from "../ssh/redact";

/**
 * Secrets of exports, made on the machine running cinderblock with the system's CSPRNG and
 * registered with the redactor before they go anywhere.
 */

/**
 * Cinder's alphabet for generated CHAP credentials (volume_utils.generate_password): no
 * characters that are easily mistaken for each other (0/O, 1/l/I).
 */
const CHAP_GROUPS = ["23456789", "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnopqrstuvwxyz"] as const;
export const CHAP_ALPHABET = CHAP_GROUPS.join("");
/** Cinder's lengths: a 20-character user name and a 16-character secret. */
export const CHAP_USERNAME_LENGTH = 20;
export const CHAP_PASSWORD_LENGTH = 16;

export interface ChapCredentials {
  username: string;
  password: string;
}

/** A random string of `length` from Cinder's alphabet with at least one character of each group, shuffled. */
function chapString(length: number): string {
  const chars = CHAP_GROUPS.map((group) => group[randomInt(group.length)] ?? "");
  while (chars.length < length) chars.push(CHAP_ALPHABET[randomInt(CHAP_ALPHABET.length)] ?? "");
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] ?? "", chars[i] ?? ""];
  }
  return chars.join("");
}

/** Per-volume CHAP credentials, as Cinder makes them; the secret is registered for redaction. */
export function generateChapCredentials(): ChapCredentials {
  const credentials = { username: chapString(CHAP_USERNAME_LENGTH), password: chapString(CHAP_PASSWORD_LENGTH) };
  registerSecret(credentials.password);
  return credentials;
}

/**
 * A DH-HMAC-CHAP secret in the NVMe representation `DHHC-1:00:<base64(key || crc32(key))>:`
 * (00: the key is used as is, not transformed), as `nvme gen-dhchap-key` makes it: 32 random
 * bytes followed by their CRC-32, little-endian. Registered for redaction.
 */
export function generateDhchapKey(): string {
  const key = randomBytes(32);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(key));
  const secret = `DHHC-1:00:${Buffer.concat([key, crc]).toString("base64")}:`;
  registerSecret(secret);
  return secret;
}

/** What a DH-HMAC-CHAP secret read back from a host must look like. */
export const DHCHAP_KEY = /^DHHC-1:0[0-3]:[A-Za-z0-9+/]{44,}={0,2}:$/;
