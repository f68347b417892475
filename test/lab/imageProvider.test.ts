import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ImageUnacceptable } from "../../drivers/interface/errors";
import { configure, providers } from "../../provider";
import { MiB, newUuid } from "./driverSupport";
import { IMAGE_BYTES, makeImages, patternImage, sha256, type Images } from "./imageFixtures";
import { hostLv, labConfigPath, onHostOk, unique } from "./support";

/**
 * The image features through the Pulumi handlers on a real host: a Volume filled from an image
 * (kept across refresh), a Volume whose image is refused (the volume it made is removed), and
 * a VolumeImage written, read back and deleted.
 */
describe("image resources through the provider handlers", () => {
  let images: Images;
  beforeAll(() => {
    configure({ configFile: labConfigPath() });
    images = makeImages();
  });
  afterAll(() => images?.remove());

  it("creates a Volume from a local qcow2, keeps its image across refresh, and exports it as a VolumeImage", async () => {
    const name = unique("pimg");
    const image = { localFile: images.qcow2, format: "qcow2" };
    const created = await providers.Volume.create({ backend: "lab", name, sizeGb: 1, uuid: newUuid(), image });
    if (!created.outs) throw new Error("Volume create returned no outputs");
    const volumeOuts = created.outs;
    try {
      expect(created.outs).toMatchObject({ name, image, sizeGb: 1 });
      const device = created.outs.devicePath;
      const onHost = (await onHostOk(`dd if=${device} bs=1M count=${IMAGE_BYTES / MiB} iflag=direct status=none | sha256sum`)).split(" ")[0];
      expect(onHost).toBe(sha256(patternImage()));
      const refreshed = await providers.Volume.read(created.id, created.outs);
      expect(refreshed.props?.image).toEqual(image);
      expect(refreshed.inputs?.image).toEqual(image);

      const path = join(images.dir, "export.qcow2");
      const exported = await providers.VolumeImage.create({ volumeId: created.id, target: { localFile: path }, format: "qcow2", compress: true });
      if (!exported.outs) throw new Error("VolumeImage create returned no outputs");
      expect(exported.id).toBe(`localFile:${created.id}:${path}`);
      expect(exported.outs).toMatchObject({ path, format: "qcow2", virtualSizeBytes: 1024 * MiB, sha256: sha256(readFileSync(path)) });
      const read = await providers.VolumeImage.read(exported.id, exported.outs);
      expect(read.props).toEqual(exported.outs);
      await providers.VolumeImage.delete(exported.id, exported.outs);
      expect(existsSync(path)).toBe(false);
      expect(await providers.VolumeImage.read(exported.id, exported.outs)).toEqual({});
    } finally {
      await providers.Volume.delete(created.id, volumeOuts);
    }
  });

  it("removes the volume it made when the image is refused (a truncated qcow2, which qemu-img would convert with exit 0)", async () => {
    const name = unique("pbad");
    const image = { localFile: images.truncatedInData, format: "qcow2" };
    const error = await providers.Volume.create({ backend: "lab", name, sizeGb: 1, uuid: newUuid(), image }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageUnacceptable);
    expect((error as Error).message).toMatch(/corruptions/);
    expect(await hostLv(name)).toBeUndefined();
  });
});
