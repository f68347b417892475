import { z } from "zod";
import { ImageUnacceptable } from "../interface/errors";
import { shown } from "./checks";

/**
 * `qemu-img check` as an acceptance rule. `qemu-img info` and `convert` accept a truncated
 * image (convert reads the missing clusters as zeros and exits 0), so an image is only
 * accepted when check finds it consistent and its end lies within the file. A pure function
 * over what qemu-img printed, so every rule is tested without a host.
 */

/** `qemu-img check` exit codes (qemu-img(1)). */
export const CHECK_EXIT = { clean: 0, incomplete: 1, corrupt: 2, leaks: 3, unsupported: 63 } as const;
export const CHECK_OK_EXIT_CODES: readonly number[] = [CHECK_EXIT.incomplete, CHECK_EXIT.corrupt, CHECK_EXIT.leaks, CHECK_EXIT.unsupported];

/** The fields of `qemu-img check --output=json` the rule reads (absent counters are 0). */
const checkReportSchema = z.object({
  "check-errors": z.number().int().nonnegative().default(0),
  corruptions: z.number().int().nonnegative().default(0),
  /** qcow2 and qed only: the first byte past the image's last allocated cluster. */
  "image-end-offset": z.number().int().nonnegative().optional(),
});

export interface CheckRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const lastLine = (text: string): string => shown(text.trim().split("\n").at(-1) ?? "");

/**
 * Accepts the image or says what is wrong with it. Leaked clusters (exit 3) are accepted:
 * they waste space in the file but every guest-visible byte is still there.
 * @throws ImageUnacceptable when check could not finish, found corruptions, or the image
 *   ends beyond the file (truncated after its metadata, where check alone sees nothing wrong)
 */
export function checkIntegrity(run: CheckRun, fileBytes: number): void {
  if (run.exitCode === CHECK_EXIT.unsupported) return;
  if (run.exitCode === CHECK_EXIT.incomplete) {
    throw new ImageUnacceptable(`qemu-img check could not finish reading the image (${lastLine(run.stderr) || "no reason given"}); it is damaged or truncated`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(run.stdout);
  } catch {
    parsed = undefined;
  }
  const report = checkReportSchema.safeParse(parsed);
  if (!report.success)
    throw new ImageUnacceptable(`qemu-img check printed no readable report (exit ${run.exitCode}): ${lastLine(run.stderr) || "no reason given"}`);
  const { corruptions, "check-errors": checkErrors, "image-end-offset": endOffset } = report.data;
  if (corruptions > 0 || run.exitCode === CHECK_EXIT.corrupt) {
    const found = corruptions === 0 ? "corruptions" : `${corruptions} corruption${corruptions === 1 ? "" : "s"}`;
    throw new ImageUnacceptable(
      `qemu-img check found ${found} in the image: it is damaged or truncated (a copy would read the missing data as zeros); fetch the image again`,
    );
  }
  if (checkErrors > 0)
    throw new ImageUnacceptable(`qemu-img check hit ${checkErrors} error${checkErrors === 1 ? "" : "s"} reading the image; it cannot be trusted`);
  if (endOffset !== undefined && endOffset > fileBytes) {
    throw new ImageUnacceptable(`the image is truncated: its data ends at byte ${endOffset} but the file has only ${fileBytes} bytes; fetch the image again`);
  }
}
