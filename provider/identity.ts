import { createHash } from "node:crypto";

/**
 * Identities for resources. A create that crashed half-way is retried by the next `pulumi up`
 * with the same inputs; because a new resource's uuid (and with it the default LV name) is a
 * pure function of where the resource sits in the program and of the inputs that would replace
 * it, the retry finds the LV the first attempt made, and the driver's idempotent create adopts
 * it instead of orphaning it. Once created, the identity lives in the resource's state
 * (provider/keepIdentity.ts).
 *
 * Deliberately free of Pulumi and driver imports: the SDK computes identities in the program,
 * the native provider from URNs, and both must agree.
 */

/** The resource kinds, and the package tokens they are known by in both providers. */
export const resourceTokens = {
  Volume: "cinderblock:index:Volume",
  Snapshot: "cinderblock:index:Snapshot",
  VolumeImage: "cinderblock:index:VolumeImage",
  VolumeAttachment: "cinderblock:index:VolumeAttachment",
  ConsistencyGroup: "cinderblock:index:ConsistencyGroup",
  GroupSnapshot: "cinderblock:index:GroupSnapshot",
} as const;

export type ResourceKind = keyof typeof resourceTokens;

export interface ResourceAddress {
  project: string;
  stack: string;
  kind: ResourceKind;
  /** The resource's name in the program (the last part of its URN). */
  name: string;
}

/**
 * A UUID (RFC 4122 layout, version nibble 5 like a name-based UUID) from the SHA-256 of the
 * resource's address. Hashing the package token rather than the registered type keeps the
 * dynamic (`pulumi-nodejs:dynamic/cinderblock:Volume`) and the native resource of one name
 * on one identity. Resources created before identities lived in state carry it as their uuid;
 * since then it is the seed a new resource's uuid is made from ({@link freshUuid}).
 */
export function resourceUuid(address: ResourceAddress): string {
  return uuidOf([address.project, address.stack, resourceTokens[address.kind], address.name].join("\0"));
}

/**
 * The uuid of a resource being created: its address seed and the inputs that would replace it,
 * hashed. A retried create (same seed, same inputs) gets the same uuid and so finds what a
 * crashed attempt made; a replacement, which only happens when one of those inputs changes,
 * gets another, so it can never take the LV of the resource it replaces.
 */
export function freshUuid(seed: string, replaceInputs: Readonly<Record<string, unknown>>): string {
  return uuidOf(`${seed}\0${canonicalJson(replaceInputs)}`);
}

function uuidOf(text: string): string {
  const digest = createHash("sha256").update(text).digest();
  digest[6] = ((digest[6] ?? 0) & 0x0f) | 0x50;
  digest[8] = ((digest[8] ?? 0) & 0x3f) | 0x80;
  const hex = digest.subarray(0, 16).toString("hex");
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
}

/** JSON with object keys sorted and undefined members left out, so equal inputs hash equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, member]) => member !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const NAME_STEM_LENGTH = 40;

/**
 * The first part of a default LV name: the resource name made LVM-safe (runs of other
 * characters become '-', at most 40 characters, starting with a letter or digit), or the kind
 * when nothing of it is usable.
 */
export function nameStem(resourceName: string, kind: ResourceKind): string {
  const stem = resourceName
    .replace(/[^A-Za-z0-9+_.-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, NAME_STEM_LENGTH);
  return stem || kind.toLowerCase();
}

/** The LV name used when none is given: the stem, '-' and the uuid's first 8 hex digits, so two stacks deploying one program do not collide. */
export function autoName(stem: string, uuid: string): string {
  return `${stem}-${uuid.slice(0, 8)}`;
}

/** {@link autoName} of a resource's {@link nameStem}. */
export function defaultName(resourceName: string, kind: ResourceKind, uuid: string): string {
  return autoName(nameStem(resourceName, kind), uuid);
}

/**
 * Where a URN puts a resource (`urn:pulumi:STACK::PROJECT::[PARENT$]TYPE::NAME`), or undefined
 * when it is not one of cinderblock's package tokens.
 */
export function addressOfUrn(urn: string): ResourceAddress | undefined {
  const match = /^urn:pulumi:([^:]*)::([^:]*)::(.+?)::(.*)$/s.exec(urn);
  if (!match) return undefined;
  const [, stack = "", project = "", qualifiedType = "", name = ""] = match;
  const type = qualifiedType.split("$").pop();
  const kind = (Object.keys(resourceTokens) as ResourceKind[]).find((candidate) => resourceTokens[candidate] === type);
  return kind && { project, stack, kind, name };
}
