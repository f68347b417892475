import { parseSshTarget } from "../drivers/ssh";
import { labUp } from "../lab/lab";
import { benchCommandPath, printCommandPath } from "./commandPath";
import { benchImageToVolume } from "./images";
import { benchGroupSnapshots } from "./groups";
import { printComparison, printSpread } from "./report";
import { benchSshPool } from "./ssh";

/** `npm run bench`: performance targets as ratios against the obvious alternative, on the lab. */
async function main(): Promise<void> {
  const lab = await labUp({ hosts: 1, log: (line) => process.stderr.write(`[lab] ${line}\n`) });
  const host = lab.hosts[0];
  if (!host) throw new Error("the lab has no host");
  const target = parseSshTarget({ address: host.address, port: host.port, user: host.user, privateKeyPath: host.privateKeyPath, hostKey: host.hostKey });
  process.stdout.write(`cinderblock bench on ${host.name} (${host.address}:${host.port})\n\n`);
  const session = await benchSshPool(target);
  printComparison(session);
  const commandPath = await benchCommandPath(lab.config, target, host.name);
  printCommandPath(commandPath);
  printComparison(await benchImageToVolume(lab.config, target));
  for (const spread of await benchGroupSnapshots(lab.config, target)) printSpread(spread);
  // The same figures for tools, on one line.
  process.stdout.write(`${JSON.stringify({ session: { ...session, ratio: session.baseline.ms / session.candidate.ms }, commandPath })}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
