import type * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { backends } from "./config";
import type { RawProperties } from "./validation";

/**
 * Failures for a `backend` or `host` the configuration does not have, each naming the valid
 * ones, so that `pulumi preview` stops at a typo instead of `pulumi up` failing at create. Only
 * the local configuration is read (no host is contacted: check runs for every resource while
 * the engine plans). A value that is not a string yet (unknown in a preview, or a wrong type
 * the schema reports) is left alone; like every check failure, the reason does not echo it.
 */
export async function unknownBackendOrHost(inputs: RawProperties): Promise<pulumi.dynamic.CheckFailure[]> {
  const { backend, host } = inputs;
  if (typeof backend !== "string" || backend === "" || backend === unknownValue) return [];
  let configured: Awaited<ReturnType<typeof backends>>;
  try {
    configured = await backends();
  } catch (error) {
    return [{ property: "backend", reason: `cannot be checked: ${(error as Error).message}` }];
  }
  if (!configured.names.includes(backend)) {
    return [{ property: "backend", reason: `must be a configured backend: ${configured.names.join(", ") || "none is configured"}` }];
  }
  const hosts = configured.hostNames(backend);
  if (typeof host !== "string" || host === "" || host === unknownValue || hosts === undefined || hosts.includes(host)) return [];
  return [{ property: "host", reason: `must be a host of backend '${backend}': ${hosts.join(", ")}` }];
}
