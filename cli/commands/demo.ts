import { runDemo } from "../../demo/run";
import { noPositionals, parse } from "../args";

export const demoUsage = `cinderblock demo [--keep-lab]   run the quickstart (volume, snapshot, volume from it, extend) on the
                                configured backends, or on the lab it boots; cleans up after itself`;

export async function demoCommand(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { "keep-lab": { type: "boolean" } });
  noPositionals(positionals);
  await runDemo({ log: (line) => process.stdout.write(`${line}\n`), keep: values["keep-lab"] ?? false });
}
