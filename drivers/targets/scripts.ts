import { join } from "node:path";
import { declareScriptFile } from "../ssh/scriptFiles";

/**
 * The configfs scripts of both targets, from scripts/ beside this module; each file's header
 * says its arguments, stdin, output and exit codes. scripts/target-lib.sh (the functions they
 * share) goes before each.
 */
const targetScript = (file: string): string => declareScriptFile(join(__dirname, "scripts"), file, ["target-lib.sh"]);

export const LIO_APPLY = targetScript("lio-apply.sh");
export const LIO_PROBE = targetScript("lio-probe.sh");
export const LIO_REMOVE = targetScript("lio-remove.sh");

export const NVMET_APPLY = targetScript("nvmet-apply.sh");
export const NVMET_PROBE = targetScript("nvmet-probe.sh");
export const NVMET_REMOVE = targetScript("nvmet-remove.sh");
