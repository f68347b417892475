import { describeProgress, percentOf } from "../../drivers/images";
import { backendOf, type CopyProgress, type DriverWith, type ImageInfo, type ImageSource, type ImageTarget } from "../../drivers";
import { EXPORT_FORMATS, IMAGE_FORMATS } from "../../drivers";
import { choiceFlag, idPositional, parse } from "../args";
import { withBackends } from "../backends";
import { printJson } from "../render";
import { UsageError } from "../usage";

export const imageUsage = `cinderblock image import VOLUME_ID (--file F | --url U | --host-path P) --format raw|qcow2|vmdk|vdi|vhdx|vpc
                          [--sha256 S]   copy an image into a volume, checked first
cinderblock image export VOLUME_ID (--file F | --host-path P) --format raw|qcow2 [--compress]
                          copy a volume (from a temporary snapshot) to an image file; never overwrites
  (each takes --json and --config PATH; progress goes to stderr)`;

const BAR_WIDTH = 24;

/**
 * Progress on stderr, so that stdout (and --json) stays clean: a redrawn bar on a terminal,
 * one plain line per report otherwise (a log file or CI).
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { onProgress: (progress: CopyProgress) => void; done: () => void } {
  let drawing = false;
  const endLine = (): void => {
    if (drawing) stream.write("\n");
    drawing = false;
  };
  return {
    onProgress(progress) {
      if (!stream.isTTY) {
        stream.write(`${describeProgress(progress)}\n`);
        return;
      }
      const percent = percentOf(progress);
      const filled = percent === undefined ? 0 : Math.round((percent / 100) * BAR_WIDTH);
      const bar = percent === undefined ? "?".repeat(BAR_WIDTH) : `${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}`;
      stream.write(`\r[${bar}] ${describeProgress(progress)}\u001b[K`);
      drawing = true;
      if (percent !== undefined && percent >= 100) endLine();
    },
    done: endLine,
  };
}

export async function imageCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "import":
      return importImage(rest);
    case "export":
      return exportImage(rest);
    default:
      throw new UsageError(action ? `unknown image action '${action}'` : "image needs an action");
  }
}

/** The one flag of `flags` that is set; a usage error unless exactly one is. */
function oneOf<K extends string>(values: Partial<Record<K, string>>, flags: readonly K[]): [K, string] {
  const given = flags.filter((flag) => values[flag] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${flags.map((flag) => `--${flag}`).join(", ")}`);
  const flag = given[0] as K;
  return [flag, values[flag] as string];
}

async function importImage(rest: string[]): Promise<void> {
  const { values, positionals } = parse(rest, {
    file: { type: "string" },
    url: { type: "string" },
    "host-path": { type: "string" },
    format: { type: "string" },
    sha256: { type: "string" },
  });
  const volumeId = idPositional(positionals, "a volume id");
  const [flag, value] = oneOf(values, ["file", "url", "host-path"] as const);
  const format = choiceFlag(values.format, "--format", IMAGE_FORMATS);
  const source: ImageSource =
    flag === "url" ? { kind: "url", url: value } : flag === "file" ? { kind: "localFile", path: value } : { kind: "hostPath", path: value };
  await copy(values.config, volumeId, values.json, (driver, onProgress) =>
    driver.copyImageToVolume(volumeId, { source, format, sha256: values.sha256 }, { onProgress }),
  );
}

async function exportImage(rest: string[]): Promise<void> {
  const { values, positionals } = parse(rest, {
    file: { type: "string" },
    "host-path": { type: "string" },
    format: { type: "string" },
    compress: { type: "boolean" },
  });
  const volumeId = idPositional(positionals, "a volume id");
  const [flag, path] = oneOf(values, ["file", "host-path"] as const);
  const format = choiceFlag(values.format, "--format", EXPORT_FORMATS);
  const target: ImageTarget = { kind: flag === "file" ? "localFile" : "hostPath", path, format, compress: values.compress };
  await copy(values.config, volumeId, values.json, (driver, onProgress) => driver.copyVolumeToImage(volumeId, target, { onProgress }));
}

/** Runs one copy with progress on stderr and prints what it read or wrote. Formats and paths are checked by the driver. */
async function copy(
  config: string | undefined,
  volumeId: string,
  json: boolean | undefined,
  work: (driver: DriverWith<"image">, onProgress: (progress: CopyProgress) => void) => Promise<ImageInfo>,
): Promise<void> {
  await withBackends(config, async (backends) => {
    const driver = await backends.withCapability(backendOf(volumeId), "image");
    const printer = progressPrinter();
    let info: ImageInfo;
    try {
      info = await work(driver, printer.onProgress);
    } finally {
      printer.done();
    }
    if (json) printJson(info);
    else for (const [key, shown] of Object.entries(info)) if (shown !== undefined) process.stdout.write(`${key.padEnd(16)} ${String(shown)}\n`);
  });
}
