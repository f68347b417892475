import { checkImageSpec, checkImageTarget, checkUrl, partialPathOf } from "../../../../drivers/images/spec";
import { InvalidInput } from "../../../../drivers/interface/errors";
import type { ImageSpec, ImageTarget } from "../../../../drivers/interface/types";
import { redact } from "../../../../drivers/ssh/redact";

describe("image source rules", () => {
  it.each<[string, ImageSpec]>([
    ["an http URL", { source: { kind: "url", url: "http://10.0.2.2:8080/a.qcow2" }, format: "qcow2" }],
    ["an https URL", { source: { kind: "url", url: "https://images.example/a.raw" }, format: "raw" }],
    ["an absolute host path", { source: { kind: "hostPath", path: "/srv/images/a b.vmdk" }, format: "vmdk" }],
    ["a local file", { source: { kind: "localFile", path: "/tmp/a.vhdx" }, format: "vhdx" }],
  ])("accepts %s", (_case, spec) => {
    expect(checkImageSpec(spec)).toEqual(spec);
  });

  it("makes a relative local path absolute and lower-cases the sha256", () => {
    const checked = checkImageSpec({ source: { kind: "localFile", path: "images/a.raw" }, format: "raw", sha256: "AB".repeat(32) });
    expect(checked.source).toEqual({ kind: "localFile", path: `${process.cwd()}/images/a.raw` });
    expect(checked.sha256).toBe("ab".repeat(32));
  });

  it.each<[string, ImageSpec, RegExp]>([
    ["a file: URL", { source: { kind: "url", url: "file:///etc/shadow" }, format: "raw" }, /http or https, not file/],
    ["an ftp URL", { source: { kind: "url", url: "ftp://host/a.raw" }, format: "raw" }, /http or https/],
    ["a URL with a space", { source: { kind: "url", url: "http://host/a b" }, format: "raw" }, /without spaces/],
    ["not a URL", { source: { kind: "url", url: "images/a.raw" }, format: "raw" }, /not a valid URL/],
    ["a relative host path", { source: { kind: "hostPath", path: "a.raw" }, format: "raw" }, /absolute file path/],
    ["a host path with ..", { source: { kind: "hostPath", path: "/srv/../etc/shadow" }, format: "raw" }, /without '\.\.'/],
    ["a host directory", { source: { kind: "hostPath", path: "/srv/" }, format: "raw" }, /absolute file path/],
    ["a host path with a newline", { source: { kind: "hostPath", path: "/srv/a\nb" }, format: "raw" }, /control characters/],
    ["an unknown format", { source: { kind: "hostPath", path: "/a.iso" }, format: "iso" as "raw" }, /one of raw, qcow2, vmdk, vdi, vhdx, vpc/],
    ["a short sha256", { source: { kind: "hostPath", path: "/a.raw" }, format: "raw", sha256: "abc" }, /64 hex digits/],
  ])("refuses %s with InvalidInput", (_case, spec, message) => {
    expect(() => checkImageSpec(spec)).toThrow(InvalidInput);
    expect(() => checkImageSpec(spec)).toThrow(message);
  });

  it("registers a URL's password and query string as secrets, so no log or error shows them", () => {
    checkUrl("https://user:s3cr3t-pass@images.example/a.qcow2?X-Amz-Signature=deadbeef1234");
    const line = "curl https://user:s3cr3t-pass@images.example/a.qcow2?X-Amz-Signature=deadbeef1234 failed";
    expect(redact(line)).not.toContain("s3cr3t-pass");
    expect(redact(line)).not.toContain("deadbeef1234");
  });
});

describe("image target rules", () => {
  it("accepts raw and qcow2, compressed qcow2, host and local paths", () => {
    const targets: ImageTarget[] = [
      { kind: "hostPath", path: "/srv/out.raw", format: "raw" },
      { kind: "localFile", path: "/tmp/out.qcow2", format: "qcow2", compress: true },
    ];
    for (const target of targets) expect(checkImageTarget(target)).toEqual(target);
  });

  it.each<[string, ImageTarget, RegExp]>([
    ["a vmdk target", { kind: "hostPath", path: "/srv/out.vmdk", format: "vmdk" }, /one of raw, qcow2/],
    ["a compressed raw target", { kind: "hostPath", path: "/srv/out.raw", format: "raw", compress: true }, /only possible with format qcow2/],
    ["a relative host path", { kind: "hostPath", path: "out.raw", format: "raw" }, /absolute/],
  ])("refuses %s", (_case, target, message) => {
    expect(() => checkImageTarget(target)).toThrow(message);
  });

  it("writes exports under a hidden partial name beside the target", () => {
    expect(partialPathOf("/srv/images/web.qcow2")).toBe("/srv/images/.web.qcow2.cb-partial");
  });
});
