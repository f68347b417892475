import { PassThrough, Writable } from "node:stream";
import type { CommandResult, RunOptions } from "./exec";

/** Anything that runs argv commands on a host (a runner, an LVM host, an image host). */
export interface HoldingRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export interface Holding {
  /** The command: it prints one line once it holds what it takes, then holds it until its stdin ends. */
  argv: readonly string[];
  /** The longest it may hold (the remote side lets go then). */
  timeoutMs: number;
  /** The error for a command that ended (`cause` undefined) or failed before printing its line. */
  endedEarly: (cause: unknown) => Error;
}

/**
 * Runs `work` while a remote command holds something for it (a lock, an open file): `work` gets
 * the line the command printed once it held it. Ending the command's stdin lets go, and so does
 * a dropped connection, so a crashed client never leaves anything held.
 */
export async function whileHolding<T>(runner: HoldingRunner, holding: Holding, work: (line: string) => Promise<T>): Promise<T> {
  const stdin = new PassThrough();
  let printed: (line: string) => void = () => undefined;
  const held = new Promise<string>((resolve) => {
    printed = resolve;
  });
  let text = "";
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      const end = text.indexOf("\n");
      if (end >= 0) printed(text.slice(0, end));
      callback();
    },
  });
  const holder = runner.run(holding.argv, { stdin, stdout, timeoutMs: holding.timeoutMs });
  const ended = holder.then(
    () => {
      throw holding.endedEarly(undefined);
    },
    (error: unknown) => {
      throw holding.endedEarly(error);
    },
  );
  ended.catch(() => undefined); // Observed by the race below, or irrelevant once the line is in.
  const line = await Promise.race([held, ended]);
  try {
    return await work(line);
  } finally {
    stdin.end();
    await holder.catch(() => undefined);
  }
}
