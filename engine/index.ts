export { ProviderCallError, ProviderClient, type CheckFailure, type CheckResult, type DiffResult, type Properties, type ReadResult } from "./client";
export { serializedProvider } from "./shimText";
export { createProgramDir, packageRoot, spawnDynamicHost, spawnNativePlugin, type ProviderProcess } from "./spawn";
export { typeToken, urnOf, type ProviderStyle } from "./urn";
