import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../../../provider/identity";
import { shims } from "../../../sdk/shim";

const fixtures = join(__dirname, "..", "..", "fixtures", "provider");
const goldenPath = (kind: ResourceKind) => join(fixtures, `shim-${kind}.js.txt`);
const HOW_TO_UPDATE =
  "If the change is intended, regenerate with `UPDATE_GOLDEN=1 npx jest --selectProjects unit -- test/unit/sdk/shim` and review the diff: " +
  "every deployed resource's __provider changes with it (one `~__provider` update per resource on the next `pulumi up`).";

/** Exactly what `pulumi.dynamic.Resource` stores as `__provider` (it serializes `() => provider`). */
async function serialize(kind: ResourceKind): Promise<pulumi.runtime.SerializedFunction> {
  const provider = shims[kind];
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

describe.each<ResourceKind>(["Volume", "Snapshot", "VolumeImage", "VolumeAttachment", "ConsistencyGroup", "GroupSnapshot"])(
  "the serialized %s shim",
  (kind) => {
    let serialized: pulumi.runtime.SerializedFunction;
    beforeAll(async () => {
      serialized = await serialize(kind);
      if (process.env.UPDATE_GOLDEN) writeFileSync(goldenPath(kind), serialized.text);
    });

    it("is byte-identical to the golden text", () => {
      if (!existsSync(goldenPath(kind))) throw new Error(`no golden text at ${goldenPath(kind)}. ${HOW_TO_UPDATE}`);
      const golden = readFileSync(goldenPath(kind), "utf8");
      if (serialized.text !== golden) {
        throw new Error(`the serialized ${kind} shim differs from ${goldenPath(kind)}. ${HOW_TO_UPDATE}\n--- now ---\n${serialized.text}`);
      }
    });

    it("is small", () => {
      expect(serialized.text.length).toBeLessThan(3000);
    });

    it("captures no secret", () => {
      expect(serialized.containsSecrets).toBe(false);
    });

    it("captures only the package name and the kind, and requires nothing at load time", () => {
      const captured = [...serialized.text.matchAll(/with\(\{ (.*?), this: undefined/g)].map((match) => match[1]);
      expect(new Set(captured)).toEqual(new Set([`implementation: "pulumi-cinderblock/provider", kind: "${kind}"`, "load: __f2", "provider: __provider"]));
      expect(serialized.text).not.toMatch(/require\("/);
    });
  },
);
