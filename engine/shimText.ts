import * as pulumi from "@pulumi/pulumi";
import type { ResourceKind } from "../provider/identity";
import { shims } from "../sdk/shim";

/**
 * Pulumi's closure serializer loads every built-in module to recognise them, and Node warns on
 * loading two of them (`sys`, `wasi`). In a program those lines are lost among Pulumi's output;
 * printed by the demo they look like its own problems, so exactly these two are dropped.
 */
const SERIALIZER_NOISE = [/^sys is deprecated/, /^WASI is an experimental feature/];

/**
 * The `__provider` text a program stores for a kind: exactly what `pulumi.dynamic.Resource`
 * computes (it serializes `() => provider`). Dynamic-provider requests carry it in their
 * properties, and the host loads the handlers from it.
 */
export async function serializedProvider(kind: ResourceKind): Promise<string> {
  const provider = shims[kind];
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const message = typeof warning === "string" ? warning : warning.message;
    if (!SERIALIZER_NOISE.some((noise) => noise.test(message))) Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as typeof process.emitWarning;
  try {
    return (await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true })).text;
  } finally {
    process.emitWarning = emitWarning;
  }
}
