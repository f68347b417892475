import { SshPool, type SshTarget } from "../drivers/ssh";
import { runLimited, timed, type Comparison } from "./report";

const COMMANDS = 200;
/** Pulumi runs up to this many resource operations at once on a 2-core machine (4 x GOMAXPROCS). */
const CONCURRENCY = 8;

/**
 * 200 short commands through the host session (the agent on one channel of a pooled
 * connection), versus 200 commands that each open their own connection, as a
 * `@pulumi/command` remote.Command does. Same concurrency on both sides.
 */
export async function benchSshPool(target: SshTarget): Promise<Comparison> {
  const pooled = new SshPool();
  const runner = pooled.runner("bench", target);
  await runner.run(["true"]); // Both sides start from a warm host.
  const poolMs = await timed(() => runLimited(COMMANDS, CONCURRENCY, () => runner.run(["true"])));
  pooled.close();

  const freshMs = await timed(() =>
    runLimited(COMMANDS, CONCURRENCY, async () => {
      const fresh = new SshPool({ maxConnectionsPerHost: 1, sessions: false });
      try {
        await fresh.runner("bench", target).run(["true"]);
      } finally {
        fresh.close();
      }
    }),
  );
  return {
    name: `${COMMANDS} short commands, ${CONCURRENCY} at a time`,
    baseline: { label: "a new SSH connection per command", ms: freshMs },
    candidate: { label: "cinderblock's host session", ms: poolMs },
    note: "times faster through the session; target >= 15x",
  };
}
