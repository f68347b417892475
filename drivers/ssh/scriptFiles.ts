import { readFileSync } from "node:fs";
import { join } from "node:path";
import { declareHostScript, type ScriptInterpreter } from "./privilege";

/**
 * Host scripts kept as real .sh files in a scripts/ folder beside the module that runs them
 * (scripts/copy-assets.js copies them into dist/, the package ships them), so shellcheck and
 * tests can run the files themselves.
 */

const texts = new Map<string, string>();

/** A script file's text as it is in `folder`, read once. */
export function readScriptFile(folder: string, file: string): string {
  const path = join(folder, file);
  let text = texts.get(path);
  if (text === undefined) {
    text = readFileSync(path, "utf8");
    texts.set(path, text);
  }
  return text;
}

/** The shell a script's first line names: POSIX sh unless bash. */
export const interpreterOf = (text: string): ScriptInterpreter => (text.startsWith("#!/bin/bash\n") ? "bash" : "sh");

/**
 * Declares `file` as a host script named after it (`cinderblock sudoers` lists it), with the
 * `preludes` (files of shared functions in the same folder) before its text, and returns the
 * text the driver runs. Its shell is the one the file's first line names.
 */
export function declareScriptFile(folder: string, file: string, preludes: readonly string[] = []): string {
  const main = readScriptFile(folder, file);
  const text = [...preludes.map((prelude) => readScriptFile(folder, prelude)), main].join("\n");
  return declareHostScript(file.replace(/\.sh$/, ""), text, interpreterOf(main));
}
