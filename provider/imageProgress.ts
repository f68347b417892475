import * as pulumi from "@pulumi/pulumi";
import { describeProgress } from "../drivers/images";
import type { CopyProgress } from "../drivers";

/** The engine log gets a line this often at most per phase (the driver reports every two seconds). */
const LOG_EVERY_MS = 10_000;

/**
 * An `onProgress` that writes image copy progress to the Pulumi engine log (`pulumi up` shows
 * it as the resource's info): the first report of a phase, then one every ten seconds, and the
 * phase's end.
 */
export function progressLog(
  what: string,
  log: (line: string) => void = (line) => void pulumi.log.info(line),
  now: () => number = Date.now,
): (progress: CopyProgress) => void {
  const lastLogged = new Map<CopyProgress["phase"], number>();
  // The driver may report a phase's end twice (its last update and its finish): log it once.
  const endLogged = new Set<CopyProgress["phase"]>();
  return (progress) => {
    const at = now();
    const last = lastLogged.get(progress.phase);
    const finished = progress.bytesTotal !== undefined && progress.bytesDone >= progress.bytesTotal;
    if (finished && endLogged.has(progress.phase)) return;
    if (finished) endLogged.add(progress.phase);
    if (last !== undefined && at - last < LOG_EVERY_MS && !finished) return;
    lastLogged.set(progress.phase, at);
    log(`${what}: ${describeProgress(progress)}`);
  };
}
