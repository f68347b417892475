import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import execa from "execa";
import { LabError } from "./errors";
import { packageRoot } from "./packageRoot";
import { imagesDir } from "./paths";
import { asRoot, requireFreeSpace, requirePrograms } from "./prereqs";

/** A bootable guest: an ext4 root image plus the kernel and initrd to boot it directly. */
export interface GuestImage {
  id: string;
  rootImage: string;
  kernel: string;
  initrd: string;
}

const SUITE = "bookworm";
/**
 * The guest's packages. The cloud kernel ships dm-thin, dm-snapshot, LIO and nvmet and boots
 * from virtio; targetcli-fb brings python3-rtslib-fb (targetcli itself fails in the guest);
 * nvme-cli lets one lab host act as an NVMe/TCP initiator for another.
 */
const PACKAGES = [
  "linux-image-cloud-amd64",
  "systemd-sysv",
  "udev",
  "lvm2",
  "thin-provisioning-tools",
  "openssh-server",
  "iproute2",
  "ifupdown",
  "isc-dhcp-client",
  "targetcli-fb",
  "qemu-utils",
  "kmod",
  "procps",
  "nvme-cli",
  "sudo",
  "curl",
  "ca-certificates",
  "python3",
  "util-linux",
  "coreutils",
];
/** Bump when the recipe below changes in a way the hashed inputs do not capture. */
const RECIPE_VERSION = 1;
const ROOT_IMAGE_SIZE = "3G";
const BUILD_SPACE_BYTES = 4 * 2 ** 30;

const guestDir = (): string => join(packageRoot(), "lab", "guest");

function imageId(): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ SUITE, PACKAGES, RECIPE_VERSION }));
  for (const file of readdirSync(guestDir()).sort()) {
    hash.update(file).update(readFileSync(join(guestDir(), file)));
  }
  return `${SUITE}-${hash.digest("hex").slice(0, 12)}`;
}

/** The Debian mirror this machine's apt already uses, unless CINDERBLOCK_DEBIAN_MIRROR says otherwise. */
export function debianMirror(): string {
  if (process.env.CINDERBLOCK_DEBIAN_MIRROR) return process.env.CINDERBLOCK_DEBIAN_MIRROR;
  const sources = ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"];
  for (const file of sources) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    const match = /^\s*URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s+\S+/m.exec(text);
    if (match?.[1]) return match[1];
  }
  return "http://deb.debian.org/debian";
}

/** The cached guest image, built once (debootstrap, about two minutes) if it is not there yet. */
export async function ensureImage(log: (line: string) => void): Promise<GuestImage> {
  const id = imageId();
  const dir = join(imagesDir(), id);
  const image: GuestImage = { id, rootImage: join(dir, "root.img"), kernel: join(dir, "vmlinuz"), initrd: join(dir, "initrd.img") };
  if (existsSync(image.rootImage) && existsSync(image.kernel) && existsSync(image.initrd)) return image;

  await requirePrograms(["debootstrap", "mkfs.ext4", "chroot"]);
  requireFreeSpace(imagesDir(), BUILD_SPACE_BYTES, "building the lab image");
  const work = `${dir}.build-${process.pid}`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  const rootfs = join(work, "rootfs");
  const started = Date.now();
  log(`building the lab guest image ${id} (debootstrap from ${debianMirror()}; once, about 2-3 minutes)`);
  try {
    await root(["debootstrap", "--variant=minbase", `--include=${PACKAGES.join(",")}`, SUITE, rootfs, debianMirror()]);
    await configureRootfs(rootfs);
    await copyBootFiles(rootfs, work);
    await root(["rm", "-rf", join(rootfs, "var/cache/apt/archives"), join(rootfs, "var/lib/apt/lists")]);
    await root(["mkfs.ext4", "-q", "-F", "-L", "cbroot", "-d", rootfs, join(work, "root.img"), ROOT_IMAGE_SIZE]);
    await root(["rm", "-rf", rootfs]);
    await root(["chown", "-R", `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`, work]);
    await rm(dir, { recursive: true, force: true });
    await rename(work, dir);
  } catch (error) {
    await root(["rm", "-rf", work]).catch(() => undefined);
    if (error instanceof LabError) throw error;
    const failure = error as execa.ExecaError;
    const tail = `${failure.stdout ?? ""}\n${failure.stderr ?? ""}`.trim().split("\n").slice(-25).join("\n");
    throw new LabError(`building the lab image failed: ${failure.shortMessage ?? String(error)}`, tail);
  }
  log(`lab image ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return image;
}

async function root(argv: readonly string[]): Promise<void> {
  const [program, args] = asRoot(argv);
  await execa(program, args, { stdin: "ignore" });
}

async function configureRootfs(rootfs: string): Promise<void> {
  const guest = guestDir();
  const place = async (file: string, target: string, mode: string): Promise<void> => {
    await root(["install", "-D", "-m", mode, join(guest, file), join(rootfs, target)]);
  };
  await place("cinderblock-seed.sh", "usr/local/sbin/cinderblock-seed", "755");
  await place("cinderblock-seed.service", "etc/systemd/system/cinderblock-seed.service", "644");
  await place("lvmlocal.conf", "etc/lvm/lvmlocal.conf", "644");
  await place("modules.conf", "etc/modules-load.d/cinderblock.conf", "644");
  await place("sshd.conf", "etc/ssh/sshd_config.d/cinderblock.conf", "644");
  await place("interfaces", "etc/network/interfaces", "644");
  await place("fstab", "etc/fstab", "644");
  await root([
    "ln",
    "-sf",
    "/etc/systemd/system/cinderblock-seed.service",
    join(rootfs, "etc/systemd/system/multi-user.target.wants/cinderblock-seed.service"),
  ]);
  await root(["sh", "-c", 'echo cinderblock-lab > "$1/etc/hostname"', "sh", rootfs]);
  await root(["chroot", rootfs, "useradd", "-m", "-s", "/bin/bash", "cinder"]);
  await root(["sh", "-c", 'echo "cinder ALL=(ALL) NOPASSWD:ALL" > "$1/etc/sudoers.d/cinder" && chmod 440 "$1/etc/sudoers.d/cinder"', "sh", rootfs]);
  await root(["chroot", rootfs, "passwd", "-l", "root"]);
  // Host keys come from each host's seed, so that every lab host has its own pinned key.
  await root(["sh", "-c", 'rm -f "$1"/etc/ssh/ssh_host_*', "sh", rootfs]);
}

async function copyBootFiles(rootfs: string, work: string): Promise<void> {
  const boot = join(rootfs, "boot");
  const files = await readdir(boot);
  const kernel = files.find((file) => file.startsWith("vmlinuz-"));
  const initrd = files.find((file) => file.startsWith("initrd.img-"));
  if (!kernel || !initrd) throw new LabError(`the guest has no kernel or initrd in ${boot} (found: ${files.join(", ")})`);
  await root(["cp", join(boot, kernel), join(work, "vmlinuz")]);
  await root(["cp", join(boot, initrd), join(work, "initrd.img")]);
  await root(["chmod", "644", join(work, "vmlinuz"), join(work, "initrd.img")]);
  await writeFile(join(work, "image.json"), JSON.stringify({ suite: SUITE, kernel, initrd, packages: PACKAGES }, null, 2));
}
