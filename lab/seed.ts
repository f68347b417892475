import { randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import execa from "execa";

export interface SeedOptions {
  hostname: string;
  authorizedKey: string;
  volumeGroup: string;
}

export interface Seed {
  /** A tar archive the guest reads from the disk with serial "cbseed" at every boot. */
  path: string;
  /** The guest's own SSH host key (`ssh-ed25519 AAAA...`), pinned by every client. */
  hostKey: string;
  /** Password of the guest's non-root sudo user `cinder` (for password-auth checks). */
  cinderPassword: string;
}

/**
 * Writes a host's seed. The host key, password and NVMe host identity are made once per host
 * directory, so a host that is restarted keeps the identity its clients pinned or granted.
 */
export async function writeSeed(dir: string, options: SeedOptions): Promise<Seed> {
  const files = join(dir, "seed");
  await mkdir(files, { recursive: true, mode: 0o700 });
  const keyPath = join(files, "ssh_host_ed25519_key");
  if (!existsSync(keyPath)) {
    await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", options.hostname, "-f", keyPath]);
  }
  const passwordPath = join(files, "cinder_password");
  if (!existsSync(passwordPath)) {
    await writeFile(passwordPath, randomBytes(18).toString("base64url"), { mode: 0o600 });
  }
  const hostIdPath = join(files, "nvme_hostid");
  if (!existsSync(hostIdPath)) await writeFile(hostIdPath, `${randomUUID()}\n`);
  // The NVMe base specification's uuid form of a host NQN, with the host id as its uuid (as
  // nvme-cli makes them), so each lab host is an NVMe/TCP initiator of its own.
  const hostId = (await readFile(hostIdPath, "utf8")).trim();
  await writeFile(join(files, "nvme_hostnqn"), `nqn.2014-08.org.nvmexpress:uuid:${hostId}\n`);
  await writeFile(join(files, "hostname"), `${options.hostname}\n`);
  await writeFile(join(files, "authorized_keys"), `${options.authorizedKey.trim()}\n`);
  await writeFile(join(files, "volume_group"), `${options.volumeGroup}\n`);
  const path = join(dir, "seed.tar");
  await execa("tar", ["-cf", path, "-C", files, "."]);
  const [type, blob] = (await readFile(`${keyPath}.pub`, "utf8")).trim().split(/\s+/);
  return {
    path,
    hostKey: `${type} ${blob}`,
    cinderPassword: (await readFile(passwordPath, "utf8")).trim(),
  };
}
