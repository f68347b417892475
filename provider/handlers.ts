import type * as pulumi from "@pulumi/pulumi";
import type { RawProperties } from "./validation";

/**
 * A resource's handlers. They fit Pulumi's dynamic `ResourceProvider<Inputs, Outputs>` (the
 * shim hands them over as one), and say more: what arrives is raw engine data (validated
 * inside, possibly holding unknowns), which is also how the native plugin calls them; and
 * `read` returns `inputs` typed as inputs (Pulumi's `ReadResult` types them as outputs).
 */
export type ResourceHandlers<Inputs, Outputs> = Omit<pulumi.dynamic.ResourceProvider<Inputs, Outputs>, "read"> & {
  configure(request: pulumi.dynamic.ConfigureRequest): Promise<void>;
  check(olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.CheckResult<Inputs>>;
  diff(id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.DiffResult>;
  create(inputs: RawProperties): Promise<pulumi.dynamic.CreateResult<Outputs>>;
  read(id: string, props?: RawProperties): Promise<{ id?: string; props?: Outputs; inputs?: Inputs }>;
  update?(id: string, olds: RawProperties, news: RawProperties): Promise<pulumi.dynamic.UpdateResult<Outputs>>;
  delete(id: string, props: RawProperties): Promise<void>;
  /** Output properties that are secret although no input is (generated credentials). */
  secretOutputs?: readonly string[];
};
