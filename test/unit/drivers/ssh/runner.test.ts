import { PassThrough } from "node:stream";
import { CommandError, isCommandError } from "../../../../drivers/ssh/errors";
import { SshPool, remoteArgv, type CommandRunner } from "../../../../drivers/ssh/exec";
import { quoteArgv } from "../../../../drivers/ssh/quote";
import { registerSecret } from "../../../../drivers/ssh/redact";
import type { SshTargetInput } from "../../../../drivers/ssh/target";
import { closeWithoutStatus, reply, startFakeSshServer, targetFor, type FakeSshServer } from "../../../fakes/sshServer";

let server: FakeSshServer;
let pool: SshPool;

beforeAll(async () => {
  server = await startFakeSshServer();
});
afterAll(() => server.close());
beforeEach(() => {
  // A command per exec channel, answered by the scripted server; session.test.ts covers the
  // session agent path of the same runner.
  pool = new SshPool({ sessions: false });
  server.onExec = (_command, channel) => reply(channel, { stdout: "ok\n" });
});
afterEach(() => pool.close());

function runner(overrides: Partial<SshTargetInput> = {}): CommandRunner {
  return pool.runner("store-1", targetFor(server, overrides));
}

/** The error `promise` rejects with, which must be a CommandError. */
async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isCommandError(error)) throw new Error(`expected a CommandError, got ${String(error)}`);
  return error;
}

/** `promise`, or a rejection if it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("SshRunner.run", () => {
  it("returns the command's stdout, stderr and exit code", async () => {
    server.onExec = (_command, channel) => reply(channel, { stdout: "out\n", stderr: "warn\n", code: 0 });
    await expect(runner().run(["lvs"])).resolves.toEqual({
      host: "store-1",
      argv: ["lvs"],
      exitCode: 0,
      stdout: "out\n",
      stderr: "warn\n",
      durationMs: expect.any(Number),
    });
  });

  it("sends the argv quoted inside env, a fixed locale and PATH, and a remote timeout", async () => {
    const argv = ["lvcreate", "--name", "it's a; test", "$(reboot)"];
    await runner().run(argv, { timeoutMs: 5_500 });
    const wrapped = remoteArgv(argv, { sudo: false, timeoutMs: 5_500 });
    expect(server.stats.commands.at(-1)).toBe(quoteArgv(wrapped));
    expect(wrapped.slice(0, 3)).toEqual(["env", "LC_ALL=C", expect.stringMatching(/^PATH=\/usr\/local\/sbin:/)]);
    expect(wrapped.slice(3)).toEqual(["timeout", "--kill-after=3", "6", ...argv]);
  });

  it("uses a 120 s remote timeout by default", async () => {
    await runner().run(["true"]);
    expect(server.stats.commands.at(-1)).toBe(quoteArgv(remoteArgv(["true"], { sudo: false, timeoutMs: 120_000 })));
    expect(server.stats.commands.at(-1)).toContain(" 120 true");
  });

  it("runs the command itself through sudo -n -- by its absolute path when the target asks for sudo, the wrapper as the user", async () => {
    await runner({ sudo: true }).run(["vgs", "--reportformat", "json"]);
    expect(server.stats.commands.at(-1)).toBe(quoteArgv(remoteArgv(["vgs", "--reportformat", "json"], { sudo: true, timeoutMs: 120_000 })));
    expect(server.stats.commands.at(-1)).toMatch(/^env LC_ALL=C \S+ timeout --kill-after=3 120 sudo -n -- \/usr\/sbin\/vgs --reportformat json$/);
  });

  it("refuses, before sending anything, a command a sudo host's sudoers file does not list", async () => {
    const sent = server.stats.commands.length;
    await expect(runner({ sudo: true }).run(["bash", "-c", "id"])).rejects.toThrow(/unregistered bash script as root/);
    await expect(runner({ sudo: true }).run(["perl", "-e", "1"])).rejects.toThrow(/would run 'perl' as root, which its sudoers file does not list/);
    expect(server.stats.commands.length).toBe(sent);
  });

  it("throws a CommandError with exit code, stderr and a short message naming the program and host on a non-zero exit", async () => {
    server.onExec = (_command, channel) => reply(channel, { stderr: '\n  Volume group "vg9" not found\nmore\n', code: 5 });
    const error = await commandError(runner().run(["vgs", "vg9"]));
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ exitCode: 5, host: "store-1", argv: ["vgs", "vg9"], timedOut: false, cancelled: false });
    expect(error.stderr).toContain('Volume group "vg9" not found');
    expect(error.shortMessage).toBe('vgs on store-1 failed with exit code 5: Volume group "vg9" not found');
    expect(error.message).toContain("command: vgs vg9");
  });

  it("accepts exit codes listed in okExitCodes", async () => {
    server.onExec = (_command, channel) => reply(channel, { code: 1 });
    await expect(runner().run(["grep", "x"], { okExitCodes: [1] })).resolves.toMatchObject({ exitCode: 1 });
  });

  it("reports a channel closed without an exit status as a CommandError without an exit code", async () => {
    server.onExec = (_command, channel) => closeWithoutStatus(channel);
    const error = await commandError(runner().run(["lvs"]));
    expect(error.exitCode).toBeUndefined();
    expect(error.shortMessage).toBe("lvs on store-1 ended without an exit status");
  });

  it("reports a command killed by a signal with the signal's name", async () => {
    server.onExec = (_command, channel) => {
      channel.exit("KILL", false, "");
      channel.end();
    };
    const error = await commandError(runner().run(["lvs"]));
    expect(error).toMatchObject({ exitCode: undefined, signal: "SIGKILL" });
  });

  it("fails a command whose stdout exceeds maxStdoutBytes", async () => {
    server.onExec = (_command, channel) => reply(channel, { stdout: Buffer.alloc(64 * 1024, "x") });
    const error = await commandError(runner().run(["cat", "big"], { maxStdoutBytes: 1_000 }));
    expect(error.stderr).toContain("output exceeded 1000 bytes");
    expect(error.stdout.length).toBeLessThanOrEqual(1_000);
  });

  it("delivers a stdin Buffer to the remote command byte for byte", async () => {
    const input = Buffer.from([0, 1, 2, 255, 10, 13, 0x27]);
    server.onExec = (_command, channel) => {
      const chunks: Buffer[] = [];
      channel.on("data", (chunk: Buffer) => chunks.push(chunk));
      channel.on("end", () => reply(channel, { stdout: Buffer.concat(chunks).toString("hex") }));
    };
    await expect(runner().run(["tee", "/x"], { stdin: input })).resolves.toMatchObject({ stdout: input.toString("hex") });
  });

  it("streams stdout to a Writable instead of collecting it", async () => {
    server.onExec = (_command, channel) => reply(channel, { stdout: "streamed" });
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    const result = await runner().run(["cat"], { stdout: sink });
    expect(result.stdout).toBe("");
    expect(Buffer.concat(chunks).toString()).toBe("streamed");
  });

  it("reports the remote timeout's exit status 124 near the deadline as timedOut", async () => {
    server.onExec = (_command, channel) => setTimeout(() => reply(channel, { code: 124 }), 950);
    const error = await commandError(runner().run(["sleep", "10"], { timeoutMs: 1_000 }));
    expect(error.timedOut).toBe(true);
    expect(error.shortMessage).toMatch(/^sleep on store-1 timed out after/);
  });

  it("treats an early exit status 124 as an ordinary failure", async () => {
    server.onExec = (_command, channel) => reply(channel, { code: 124 });
    const error = await commandError(runner().run(["false"], { timeoutMs: 10_000 }));
    expect(error).toMatchObject({ exitCode: 124, timedOut: false });
  });

  it("cancels a running command when its AbortSignal fires", async () => {
    server.onExec = (_command, channel) => channel.write("started\n"); // Then never finishes.
    const controller = new AbortController();
    const sink = new PassThrough();
    sink.once("data", () => controller.abort()); // Abort once the command surely runs.
    const error = await commandError(runner().run(["sleep", "inf"], { signal: controller.signal, stdout: sink }));
    expect(error).toMatchObject({ cancelled: true, timedOut: false });
    expect(error.shortMessage).toBe("sleep on store-1 was cancelled");
  });

  it("does not start a command whose AbortSignal is already aborted", async () => {
    server.onExec = () => undefined; // Never finishes.
    const commandsBefore = server.stats.commands.length;
    const run = runner().run(["lvremove", "-y", "vg0/lv1"], { signal: AbortSignal.abort() });
    const error = await commandError(within(run, 2_000));
    expect(error.cancelled).toBe(true);
    expect(server.stats.commands.length).toBe(commandsBefore);
  });

  it("never shows a registered secret in the CommandError", async () => {
    const secret = "chap-pass-in-argv-42";
    registerSecret(secret);
    server.onExec = (command, channel) => reply(channel, { stdout: command, stderr: `rejected ${command}`, code: 2 });
    const error = await commandError(runner().run(["iscsi", `--secret=${secret}`]));
    expect(server.stats.commands.at(-1)).toContain(secret);
    for (const text of [error.message, error.shortMessage, error.stdout, error.stderr, ...error.argv]) {
      expect(text).not.toContain(secret);
    }
  });
});
