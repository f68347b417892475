import { loadavg } from "node:os";
import { parseSshTarget } from "../drivers/ssh";
import { labUp } from "../lab/lab";
import { benchCommandPath, printCommandPath } from "./commandPath";
import { benchCopies, copyFigures, printCopy } from "./images";
import { benchGroupSnapshots } from "./groups";
import { printComparison, printSpread } from "./report";
import { benchSshPool } from "./ssh";

const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(" ");
const SECTIONS = ["session", "commands", "copies", "groups"] as const;

/**
 * `npm run bench`: performance targets as ratios against the obvious alternative, on the lab.
 * Naming sections (`npm run bench -- copies groups`) runs only those.
 */
async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(", ")} (sections: ${SECTIONS.join(", ")})`);
  const runs = (section: (typeof SECTIONS)[number]): boolean => asked.length === 0 || asked.includes(section);
  const lab = await labUp({ hosts: 1, log: (line) => process.stderr.write(`[lab] ${line}\n`) });
  const host = lab.hosts[0];
  if (!host) throw new Error("the lab has no host");
  const target = parseSshTarget({ address: host.address, port: host.port, user: host.user, privateKeyPath: host.privateKeyPath, hostKey: host.hostKey });
  process.stdout.write(`cinderblock bench on ${host.name} (${host.address}:${host.port}); this machine's load average: ${load()}\n\n`);
  const figures: Record<string, unknown> = {};
  if (runs("session")) {
    const session = await benchSshPool(target);
    printComparison(session);
    figures.session = { ...session, ratio: session.baseline.ms / session.candidate.ms };
  }
  if (runs("commands")) {
    const commandPath = await benchCommandPath(lab.config, target, host.name);
    printCommandPath(commandPath);
    figures.commandPath = commandPath;
  }
  if (runs("copies")) {
    const copies = await benchCopies(lab.config, target);
    for (const copy of copies) printCopy(copy);
    figures.copies = copies.map((copy) => ({ name: copy.name, runs: copy.runs, stepsByHand: copy.stepsByHand, ...copyFigures(copy) }));
  }
  if (runs("groups")) for (const spread of await benchGroupSnapshots(lab.config, target)) printSpread(spread);
  process.stdout.write(`load average at the end: ${load()}\n`);
  // The same figures for tools, on one line.
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
