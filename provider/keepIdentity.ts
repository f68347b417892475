import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { autoName, freshUuid } from "./identity";
import { identitySeed } from "./schemas";
import { differs, type RawProperties } from "./validation";

/**
 * Where a resource's uuid and LV name come from, in check:
 *
 * 1. A resource that exists keeps them: `olds` (its stored inputs) hold them. Renaming the
 *    stack or the project, or the resource with `aliases`, changes where it sits but not what
 *    it is, so nothing is replaced; state written before identities lived in state (uuid and
 *    default name computed by the SDK) is kept the same way. A `name` the program sets wins
 *    (changing it replaces the resource).
 * 2. A resource being created (no `olds`) gets a fresh uuid from the SDK's seed and the inputs
 *    that would replace it ({@link freshUuid}), and, unless the program sets `name`, the name
 *    `autoName-<8 hex digits of the uuid>`.
 *
 * The engine asks for (2) before a replacement's create: it re-runs Check without olds (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go, "If we are going to perform a replacement, we need to
 * recompute the default values"), so the replacement of an auto-named resource gets a new uuid
 * and name and can be created before the old one is deleted ({@link replacementReusesIdentity}).
 *
 * Without a seed (the native plugin, which fills `uuid` and `name` from the URN), `news` is taken
 * as it is where `olds` hold nothing.
 */
export function keepIdentity(olds: RawProperties, news: RawProperties, replaceKeys: readonly string[]): RawProperties {
  const seed = identitySeed.safeParse(news.identity);
  const uuid = olds.uuid ?? news.uuid ?? (seed.success ? newUuid(seed.data.seed, news, replaceKeys) : undefined);
  const chosen = seed.success && seed.data.autoName !== undefined && typeof uuid === "string" ? autoName(seed.data.autoName, uuid) : undefined;
  const name = news.name ?? olds.name ?? (uuid === unknownValue ? unknownValue : chosen);
  return { ...news, uuid, name };
}

/** Unknown while an input it hashes is unknown (preview): the real check, at `pulumi up`, knows them. */
function newUuid(seed: string, news: RawProperties, replaceKeys: readonly string[]): string {
  const hashed = Object.fromEntries(replaceKeys.filter((key) => key !== "uuid").map((key) => [key, news[key]]));
  return Object.values(hashed).includes(unknownValue) ? unknownValue : freshUuid(seed, hashed);
}

/**
 * Whether replacing the resource would give the new one the old one's name or uuid, so that it
 * must be deleted first: the driver's create is idempotent on uuid and name (that is how a
 * retried create finds a crashed attempt's LV), so created first, the replacement would take
 * over the old LV, which the engine then deletes. That is the case when the program sets `name`
 * and keeps it, and whenever there is no seed (the native plugin derives the same uuid again).
 * An auto-named resource, or one whose set name changes, gets a fresh identity ({@link keepIdentity}).
 */
export function replacementReusesIdentity(olds: RawProperties, news: RawProperties): boolean {
  const seed = identitySeed.safeParse(news.identity);
  if (!seed.success) return true;
  return seed.data.autoName === undefined && !differs(olds, news, "name");
}
