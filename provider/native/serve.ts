import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import type * as grpcModule from "@grpc/grpc-js";
import type { ConfigureRequest } from "@pulumi/pulumi/proto/provider_pb";
import { configure, type ProviderSettings } from "../config";
import { CinderblockProvider } from "./provider";

/** The copy of @grpc/grpc-js that @pulumi/pulumi's server uses (patching another copy would miss it). */
const grpc = createRequire(require.resolve("@pulumi/pulumi"))("@grpc/grpc-js") as typeof grpcModule;

/** The provider's settings in a Configure request: arguments first (secrets still wrapped), then config variables. */
export function settingsOf(request: ConfigureRequest): ProviderSettings {
  const args = (request.getArgs()?.toJavaScript() ?? {}) as Record<string, unknown>;
  const variables = request.getVariablesMap();
  const setting = (key: keyof ProviderSettings): unknown => args[key] ?? variables.get(`cinderblock:config:${key}`);
  const configFile = setting("configFile");
  return { backends: setting("backends"), configFile: typeof configFile === "string" ? configFile : undefined };
}

type UnaryHandler = (call: { request: unknown }, callback: (error: unknown, response?: unknown) => void) => void;

/**
 * Serves the native provider over gRPC, printing the port as the engine expects.
 *
 * `@pulumi/pulumi/provider`'s server answers Configure with its capabilities and drops the
 * request's variables and arguments, and its `Provider` interface has no configure hook. So
 * while `main` registers the service (synchronously, before its first await), the service's
 * implementation is wrapped so that Configure hands its request to `configure` first.
 */
export function serve(args: string[]): Promise<void> {
  const addService = grpc.Server.prototype.addService;
  grpc.Server.prototype.addService = function (this: grpcModule.Server, service, implementation) {
    const original = (implementation as { configure?: UnaryHandler }).configure;
    if (!original) return addService.call(this, service, implementation);
    const wrapped: object = Object.create(implementation, {
      configure: {
        value: ((call, callback) => {
          configure(settingsOf(call.request as ConfigureRequest));
          original.call(wrapped, call, callback);
        }) satisfies UnaryHandler,
      },
    });
    return addService.call(this, service, wrapped as grpcModule.UntypedServiceImplementation);
  };
  try {
    return pulumi.provider.main(new CinderblockProvider(), args);
  } finally {
    grpc.Server.prototype.addService = addService;
  }
}
