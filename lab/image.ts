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
 * The guest's kernel is bookworm-backports' standard kernel (6.12): it has
 * CONFIG_NVME_TARGET_AUTH=y and CONFIG_NVME_HOST_AUTH=y, so the lab proves DH-HMAC-CHAP for
 * NVMe/TCP with the kernel's own target and initiator. Bookworm's own kernels (6.1, cloud and
 * standard alike) have "# CONFIG_NVME_TARGET_AUTH is not set". Backports' cloud kernel has it
 * too, but panicked early in every boot (8 of 8, whatever -cpu) under QEMU 7.2's TCG.
 */
const KERNEL_SUITE = "bookworm-backports";
const KERNEL_PACKAGE = "linux-image-amd64";
/**
 * The guest's packages. targetcli-fb brings python3-rtslib-fb (targetcli itself fails in the
 * guest); nvme-cli lets one lab host act as an NVMe/TCP initiator for another.
 */
const PACKAGES = [
  "initramfs-tools",
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
const RECIPE_VERSION = 2;
const ROOT_IMAGE_SIZE = "3G";
const BUILD_SPACE_BYTES = 4 * 2 ** 30;

const guestDir = (): string => join(packageRoot(), "lab", "guest");

function imageId(): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ SUITE, KERNEL_SUITE, KERNEL_PACKAGE, PACKAGES, RECIPE_VERSION }));
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
    await installKernel(rootfs);
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

/**
 * The kernel comes from backports in a second step: debootstrap's --extra-suites would take any
 * package it resolves from backports too (it mixed systemd versions). apt in the new root reads
 * the backports index alone; the kernel's dependencies that bookworm has are already installed.
 * The initramfs is made small before the kernel's hook builds it (initramfs.conf): the guest only
 * has to find its root on a virtio disk, so it takes a short module list instead of "most".
 */
async function installKernel(rootfs: string): Promise<void> {
  const guest = guestDir();
  await root(["install", "-D", "-m", "644", join(guest, "initramfs.conf"), join(rootfs, "etc/initramfs-tools/conf.d/cinderblock.conf")]);
  await root(["install", "-D", "-m", "644", join(guest, "initramfs-modules"), join(rootfs, "etc/initramfs-tools/modules")]);
  const list = "/etc/apt/sources.list.d/backports.list";
  await root(["sh", "-c", 'echo "deb $2 $3 main" > "$1$4"', "sh", rootfs, debianMirror(), KERNEL_SUITE, list]);
  const only = ["-o", `Dir::Etc::SourceList=${list}`, "-o", "Dir::Etc::SourceParts=/nonexistent", "-o", "Acquire::Languages=none"];
  await root(["chroot", rootfs, "apt-get", "update", "-q", ...only]);
  const install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "-o", "DPkg::Options::=--force-unsafe-io"];
  await root(["chroot", rootfs, "env", "DEBIAN_FRONTEND=noninteractive", ...install, ...only, "-t", KERNEL_SUITE, KERNEL_PACKAGE]);
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
  // Host keys and NVMe host identities come from each host's seed, so that every lab host has
  // its own pinned key and is its own NVMe/TCP initiator.
  await root(["sh", "-c", 'rm -f "$1"/etc/ssh/ssh_host_* "$1"/etc/nvme/hostnqn "$1"/etc/nvme/hostid', "sh", rootfs]);
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
  await writeFile(join(work, "image.json"), JSON.stringify({ suite: SUITE, kernelSuite: KERNEL_SUITE, kernel, initrd, packages: PACKAGES }, null, 2));
}
