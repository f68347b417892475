import { createRequire } from "node:module";
import type * as grpc from "@grpc/grpc-js";
import type * as provider from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as empty from "google-protobuf/google/protobuf/empty_pb";
import type * as struct from "google-protobuf/google/protobuf/struct_pb";

/**
 * The gRPC runtime and the generated provider stubs, loaded the way @pulumi/pulumi loads them:
 * @grpc/grpc-js and google-protobuf are its dependencies, not cinderblock's, and the stubs only
 * accept messages built with the same google-protobuf copy they were generated against.
 */
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));

export const grpcJs = fromPulumi("@grpc/grpc-js") as typeof grpc;
export const providerProto = fromPulumi("@pulumi/pulumi/proto/provider_pb") as typeof provider;
export const providerStubs = fromPulumi("@pulumi/pulumi/proto/provider_grpc_pb") as typeof providerGrpc;
export const emptyProto = fromPulumi("google-protobuf/google/protobuf/empty_pb") as typeof empty;
export const structProto = fromPulumi("google-protobuf/google/protobuf/struct_pb") as typeof struct;

/** A plain JSON object as a protobuf Struct (undefined values dropped, as the engine never sends them). */
export function toStruct(value: Record<string, unknown> | undefined): struct.Struct {
  return structProto.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})) as Record<string, struct.JavaScriptValue>);
}

export function fromStruct(value: struct.Struct | undefined): Record<string, unknown> {
  return (value?.toJavaScript() ?? {}) as Record<string, unknown>;
}
