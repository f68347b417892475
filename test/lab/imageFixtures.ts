import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Backends } from "../../drivers";
import type { DriverWith } from "../../drivers/interface/capabilities";
import { MiB, openLabDriver, pattern } from "./driverSupport";

/**
 * Images for the image tests, made here with the machine's own qemu-img: a raw image with a
 * known pattern (labelled 1 MiB blocks, then zeros, so that zero areas must be written too),
 * the same image in other formats, and hostile ones.
 */

export type ImageLabDriver = DriverWith<"core" | "dataAccess" | "image">;

export async function openImageDriver(options: Parameters<typeof openLabDriver>[1] = {}): Promise<{ backends: Backends; driver: ImageLabDriver }> {
  const { backends } = await openLabDriver("lab", options);
  return { backends, driver: (await backends.withCapability("lab", "image")) as ImageLabDriver };
}

/** The pattern image's bytes: 8 labelled MiB blocks, then 8 MiB of zeros. */
export const IMAGE_BYTES = 16 * MiB;
export function patternImage(): Buffer {
  const blocks = Array.from({ length: 8 }, (_, i) => pattern(`image block ${i}`, 0x11 * (i + 1)));
  return Buffer.concat([...blocks, Buffer.alloc(8 * MiB)]);
}

export const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

export interface Images {
  dir: string;
  raw: string;
  qcow2: string;
  vmdk: string;
  /** qcow2 whose backing file is /etc/shadow. */
  backingShadow: string;
  /** qcow2 whose external data file is /etc/shadow (CVE-2024-32498). */
  dataFileShadow: string;
  /** qcow2 of 2 GiB virtual size (a few hundred KiB of file). */
  oversized: string;
  /** The pattern qcow2 cut inside its data clusters (qemu-img check finds corruptions). */
  truncatedInData: string;
  /** The pattern qcow2 cut right after its metadata (check passes; its end offset lies past the file). */
  truncatedAfterHeader: string;
  remove(): void;
}

const qemuImg = (...args: string[]): void => {
  execFileSync("qemu-img", args, { stdio: ["ignore", "ignore", "pipe"] });
};

export function makeImages(): Images {
  const dir = mkdtempSync(join(tmpdir(), "cb-images-"));
  const path = (name: string): string => join(dir, name);
  writeFileSync(path("pattern.raw"), patternImage());
  qemuImg("convert", "-f", "raw", "-O", "qcow2", path("pattern.raw"), path("pattern.qcow2"));
  qemuImg("convert", "-f", "raw", "-O", "vmdk", "-o", "subformat=streamOptimized", path("pattern.raw"), path("pattern.vmdk"));
  // -u: qemu-img does not open the backing file to write the header.
  qemuImg("create", "-f", "qcow2", "-u", "-b", "/etc/shadow", "-F", "raw", path("backing.qcow2"), "16M");
  qemuImg("create", "-f", "qcow2", path("oversized.qcow2"), "2G");
  writeFileSync(path("data-file.qcow2"), dataFileImage());
  const qcow2 = readFileSync(path("pattern.qcow2"));
  writeFileSync(path("cut-in-data.qcow2"), qcow2.subarray(0, Math.floor(qcow2.length / 2)));
  // Header, refcount table and block: the first three 64 KiB clusters of a fresh qcow2.
  writeFileSync(path("cut-after-header.qcow2"), qcow2.subarray(0, 3 * 64 * 1024));
  return {
    dir,
    raw: path("pattern.raw"),
    qcow2: path("pattern.qcow2"),
    vmdk: path("pattern.vmdk"),
    backingShadow: path("backing.qcow2"),
    dataFileShadow: path("data-file.qcow2"),
    oversized: path("oversized.qcow2"),
    truncatedInData: path("cut-in-data.qcow2"),
    truncatedAfterHeader: path("cut-after-header.qcow2"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A qcow2 whose data file is /etc/shadow. Creating one directly would make qemu-img create
 * (truncate) that file here, so it is made with a harmless path of the same length, which is
 * then replaced in the header extension.
 */
function dataFileImage(): Buffer {
  const target = "/etc/shadow";
  const stand = `/tmp/cb${randomBytes(2).toString("hex")}`;
  if (stand.length !== target.length) throw new Error("the stand-in data file path must be as long as /etc/shadow");
  const image = join(tmpdir(), `${basename(stand)}.qcow2`);
  try {
    qemuImg("create", "-f", "qcow2", "-o", `data_file=${stand}`, image, "16M");
    const bytes = readFileSync(image);
    const at = bytes.indexOf(stand);
    if (at < 0) throw new Error("qemu-img did not write the data file name");
    bytes.write(target, at, "latin1");
    return bytes;
  } finally {
    rmSync(image, { force: true });
    rmSync(stand, { force: true });
  }
}

/**
 * A tiny HTTP server for the lab guest, which reaches this machine at 10.0.2.2 (QEMU user
 * networking). `?bytesPerSecond=N` serves a file at that rate, with its Content-Length, for a
 * download that takes a known while.
 */
export async function serveFiles(dir: string): Promise<{ url: (file: string) => string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? "");
    const [path = "/", query = ""] = (request.url ?? "/").split("?");
    const name = decodeURIComponent(path).replace(/^\/+/, "");
    if (!name || name.includes("/") || name.startsWith(".")) {
      response.writeHead(404).end();
      return;
    }
    const rate = Number(new URLSearchParams(query).get("bytesPerSecond") ?? "0");
    if (rate > 0) {
      void serveSlowly(join(dir, name), rate, response);
      return;
    }
    const stream = createReadStream(join(dir, name));
    stream.on("error", () => response.writeHead(404).end());
    stream.on("open", () => {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      stream.pipe(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (file) => `http://10.0.2.2:${port}/${file}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Sends a file in tenths of a second's worth at a time: at `rate` bytes per second. */
async function serveSlowly(path: string, rate: number, response: ServerResponse): Promise<void> {
  const data = await readFile(path).catch(() => undefined);
  if (!data) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(data.length) });
  const slice = Math.max(1, Math.floor(rate / 10));
  for (let at = 0; at < data.length && !response.destroyed; at += slice) {
    response.write(data.subarray(at, at + slice));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  response.end();
}
