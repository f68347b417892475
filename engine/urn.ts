import { resourceTokens, type ResourceKind } from "../provider/identity";

/** Which provider serves a resource: the dynamic-provider host, or the native plugin. */
export type ProviderStyle = "dynamic" | "native";

/** The type token each style registers a kind under. */
export function typeToken(kind: ResourceKind, style: ProviderStyle): string {
  return style === "dynamic" ? `pulumi-nodejs:dynamic/cinderblock:${kind}` : resourceTokens[kind];
}

/** The URN the engine gives a top-level resource. */
export function urnOf(options: { stack: string; project: string; kind: ResourceKind; name: string; style: ProviderStyle }): string {
  return `urn:pulumi:${options.stack}::${options.project}::${typeToken(options.kind, options.style)}::${options.name}`;
}
