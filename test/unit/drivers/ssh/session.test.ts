import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { Client } from "ssh2";
import type { Logger } from "../../../../drivers/log";
import { agentCommand, agentSource } from "../../../../drivers/ssh/agent";
import { AgentProtocolError, FrameDecoder, encodeCancel, encodeLvm, encodeRun, type AgentFrame } from "../../../../drivers/ssh/agentProtocol";
import { CommandError, SshConnectionLostError, isCommandError } from "../../../../drivers/ssh/errors";
import { SshPool, type CommandRunner } from "../../../../drivers/ssh/exec";
import { HostSessions } from "../../../../drivers/ssh/hostSessions";
import { HostConnections, defaultPoolOptions } from "../../../../drivers/ssh/pool";
import { quoteArgv } from "../../../../drivers/ssh/quote";
import { remoteEnvArgv } from "../../../../drivers/ssh/remoteEnv";
import type { SshTargetInput } from "../../../../drivers/ssh/target";
import { agentHost, childrenOf, groupMembers, isAgentCommand, processAlive, type AgentHost } from "../../../fakes/agentHost";
import { reply, startFakeSshServer, targetFor, waitFor, type FakeSshServer } from "../../../fakes/sshServer";

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const MIB = 1024 * 1024;

let server: FakeSshServer;
let host: AgentHost;
let pool: SshPool;
let infos: string[];

const logger: Logger = { debug() {}, info: (message) => infos.push(message), warn() {} };

beforeAll(async () => {
  server = await startFakeSshServer();
});
afterAll(() => server.close());
beforeEach(() => {
  host = agentHost();
  server.onExec = host.handler;
  server.stats.commands.length = 0;
  infos = [];
  pool = new SshPool({ sessions: true }, logger);
});
afterEach(async () => {
  pool.close();
  // Every agent must go away by itself once its channel is gone.
  await waitFor(() => host.shells.every((shell) => shell.exitCode !== null || shell.signalCode !== null));
});

function runner(overrides: Partial<SshTargetInput> = {}): CommandRunner {
  return pool.runner("store-1", targetFor(server, overrides));
}

function agentStarts(): number {
  return server.stats.commands.filter(isAgentCommand).length;
}

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isCommandError(error)) throw new Error(`expected a CommandError, got ${String(error)}`);
  return error;
}

/** The pid of the agent serving `run`'s session: the parent of a command it runs. */
async function agentPid(run: CommandRunner): Promise<number> {
  return Number((await run.run(["sh", "-c", "echo $PPID"])).stdout.trim());
}

describe("SshRunner through the session agent", () => {
  it("runs every command in one session, stdout and stderr apart", async () => {
    const run = runner();
    await expect(run.run(["sh", "-c", "echo out; echo err >&2; echo out2"])).resolves.toEqual({
      host: "store-1",
      argv: ["sh", "-c", "echo out; echo err >&2; echo out2"],
      exitCode: 0,
      stdout: "out\nout2\n",
      stderr: "err\n",
      durationMs: expect.any(Number),
    });
    await expect(run.run(["echo", "again"])).resolves.toMatchObject({ stdout: "again\n" });
    expect(agentStarts()).toBe(1);
    expect(server.stats.commands).toHaveLength(1);
    expect(pool.stats()).toEqual({
      "store-1": {
        commands: 2,
        sessionCommands: 2,
        lvmShellCommands: 0,
        execCommands: 0,
        sessionsOpened: 1,
        byProgram: { sh: 1, echo: 1 },
        msByProgram: { sh: expect.any(Number), echo: expect.any(Number) },
      },
    });
  });

  it("starts the agent with the same env, locale and PATH as a single command, as argv without a shell", async () => {
    const run = runner();
    const result = await run.run(["sh", "-c", 'echo "$LC_ALL|$PATH"']);
    expect(result.stdout).toBe(`C|${remoteEnvArgv()[2]?.slice("PATH=".length)}\n`);
    expect(server.stats.commands[0]).toBe(agentCommand(false));
    expect(agentCommand(false)).toBe(quoteArgv([...remoteEnvArgv(), "perl", "-e", agentSource()]));
    // On a sudo host the agent runs as the user and only its lvm shell goes through sudo.
    expect(agentCommand(true)).toBe(quoteArgv([...remoteEnvArgv(), "perl", "-e", agentSource(), "--", "sudo", "-n", "-C", "4", "--", "/usr/sbin/lvm"]));
  });

  it("passes argv byte for byte: spaces, quotes, newlines, $(...), globs, non-ASCII, empty", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-session-"));
    try {
      const hostile = [
        "two words",
        "it's",
        '"double"',
        "line\nbreak\r\n",
        `$(touch ${dir}/dollar)`,
        `\`touch ${dir}/backtick\``,
        `; touch ${dir}/semicolon`,
        "*",
        "~",
        "",
        "-n",
        "ünïcödé ✓ 日本",
        "tab\there \\back $HOME ${PATH}",
      ];
      const result = await runner().run(["printf", "%s\\0", ...hostile]);
      expect(result.stdout.split("\0").slice(0, -1)).toEqual(hostile);
      for (const name of ["dollar", "backtick", "semicolon"]) expect(existsSync(join(dir, name))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an argv with a NUL byte before sending anything", async () => {
    await expect(runner().run(["echo", "a\0b"])).rejects.toThrow(TypeError);
    expect(server.stats.commands).toHaveLength(0);
  });

  it("reports exit codes, okExitCodes, a missing program and a signal like a command on its own channel", async () => {
    const run = runner();
    const failed = await commandError(run.run(["sh", "-c", "echo why >&2; exit 3"]));
    expect(failed).toMatchObject({ exitCode: 3, signal: undefined, timedOut: false, cancelled: false, stderr: "why\n" });
    expect(failed.shortMessage).toBe("sh on store-1 failed with exit code 3: why");
    await expect(run.run(["sh", "-c", "exit 1"], { okExitCodes: [1] })).resolves.toMatchObject({ exitCode: 1 });
    const missing = await commandError(run.run(["no-such-program-cb"]));
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain("no-such-program-cb: No such file or directory");
    const killed = await commandError(run.run(["sh", "-c", "kill -KILL $$"]));
    expect(killed).toMatchObject({ exitCode: undefined, signal: "SIGKILL" });
    expect(agentStarts()).toBe(1);
  });

  it("returns output holding all 256 byte values as the same string an exec channel gives", async () => {
    const result = await runner().run(["perl", "-e", "binmode STDOUT; print map { chr } 0..255"]);
    expect(result.stdout).toBe(ALL_BYTES.toString("utf8"));
  });

  it("returns 20 MiB of output whole", async () => {
    const result = await runner().run(["head", "-c", String(20 * MIB), "/dev/zero"]);
    expect(result.stdout.length).toBe(20 * MIB);
    expect(/^\0*$/.test(result.stdout)).toBe(true);
  }, 60_000);

  it("stops a command whose output exceeds maxStdoutBytes and keeps the session", async () => {
    const run = runner();
    const started = Date.now();
    const error = await commandError(run.run(["cat", "/dev/zero"], { maxStdoutBytes: MIB }));
    expect(error.stderr).toContain(`output exceeded ${MIB} bytes`);
    expect(error.stdout.length).toBeLessThanOrEqual(MIB);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(run.run(["echo", "still here"])).resolves.toMatchObject({ stdout: "still here\n" });
    expect(agentStarts()).toBe(1);
  }, 15_000);

  it("delivers stdin given as a string or a Buffer, and /dev/null without one", async () => {
    const run = runner();
    await expect(run.run(["cat"], { stdin: "héllo\nwörld" })).resolves.toMatchObject({ stdout: "héllo\nwörld" });
    const hex = await run.run(["od", "-An", "-v", "-tx1"], { stdin: ALL_BYTES });
    expect(Buffer.from(hex.stdout.replace(/\s+/g, ""), "hex")).toEqual(ALL_BYTES);
    await expect(run.run(["wc", "-c"], { stdin: Buffer.alloc(3 * MIB, 7) })).resolves.toMatchObject({ stdout: `${3 * MIB}\n` });
    await expect(run.run(["cat"], { timeoutMs: 3_000 })).resolves.toMatchObject({ stdout: "" });
    expect(agentStarts()).toBe(1);
  }, 15_000);

  it("kills a hung command at its timeout together with every process of its group", async () => {
    const started = Date.now();
    const error = await commandError(runner().run(["sh", "-c", "echo $$; sleep 100 & sleep 100"], { timeoutMs: 1_000 }));
    expect(error).toMatchObject({ timedOut: true, cancelled: false, signal: "SIGTERM" });
    expect(error.shortMessage).toMatch(/^sh on store-1 timed out after/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const group = Number(error.stdout.trim());
    expect(group).toBeGreaterThan(1);
    await waitFor(() => groupMembers(group).length === 0, 2_000);
  });

  it("sends KILL 3 s after TERM to a group that ignores TERM", async () => {
    const started = Date.now();
    const error = await commandError(runner().run(["sh", "-c", "trap '' TERM; echo $$; sleep 100 & sleep 100"], { timeoutMs: 500 }));
    expect(error.timedOut).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(Date.now() - started).toBeLessThan(7_000);
    await waitFor(() => groupMembers(Number(error.stdout.trim())).length === 0, 2_000);
  }, 15_000);

  it("cancels a running command when its AbortSignal fires and stops its group", async () => {
    const run = runner();
    await run.run(["true"]); // The agent is up, so the command below runs (and prints) before the abort.
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const error = await commandError(run.run(["sh", "-c", "echo $$; sleep 100"], { signal: controller.signal }));
    expect(error.stdout).toMatch(/^\d+\n$/);
    expect(error).toMatchObject({ cancelled: true, timedOut: false });
    expect(error.shortMessage).toBe("sh on store-1 was cancelled");
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => groupMembers(Number(error.stdout.trim())).length === 0, 2_000);
  });

  it("runs 50 concurrent commands on one session", async () => {
    const run = runner();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run.run(["sh", "-c", 'sleep 0.2; echo "$1"', "sh", `n${i}`])));
    expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}\n`));
    expect(agentStarts()).toBe(1);
    expect(pool.connectionCount).toBe(1);
    expect(pool.stats()["store-1"]).toMatchObject({ commands: 50, sessionCommands: 50, sessionsOpened: 1 });
  });

  it("queues commands beyond maxCommandsPerSession", async () => {
    pool.close();
    pool = new SshPool({ sessions: true, maxCommandsPerSession: 2 }, logger);
    const run = runner();
    await run.run(["true"]);
    const started = Date.now();
    await Promise.all(Array.from({ length: 6 }, () => run.run(["sleep", "0.3"])));
    expect(Date.now() - started).toBeGreaterThanOrEqual(850); // Three rounds of two.
    expect(agentStarts()).toBe(1);
  });

  it("reports commands in flight when the agent dies as SshConnectionLostError, then opens a new session", async () => {
    const run = runner();
    const pid = await agentPid(run);
    const pending = run.run(["sleep", "100"]);
    let sleeper = 0;
    await waitFor(() => (sleeper = childrenOf(pid).find((child) => child.comm === "sleep")?.pid ?? 0) > 0);
    process.kill(pid, "SIGKILL");
    try {
      await expect(pending).rejects.toBeInstanceOf(SshConnectionLostError);
    } finally {
      process.kill(sleeper, "SIGKILL"); // Orphaned: a KILLed agent cannot clean up.
    }
    await expect(run.run(["echo", "back"])).resolves.toMatchObject({ stdout: "back\n" });
    expect(await agentPid(run)).not.toBe(pid);
    expect(agentStarts()).toBe(2);
    expect(pool.stats()["store-1"]?.sessionsOpened).toBe(2);
  });

  it.each(["end", "reset"] as const)(
    "reports a dropped connection as SshConnectionLostError; the agent stops its commands and exits; the next command gets a new session (%s)",
    async (how) => {
      const run = runner();
      const pid = await agentPid(run);
      const pending = run.run(["sleep", "100"]);
      let sleeper = 0;
      await waitFor(() => (sleeper = childrenOf(pid).find((child) => child.comm === "sleep")?.pid ?? 0) > 0);
      server.dropConnections(how);
      await expect(pending).rejects.toBeInstanceOf(SshConnectionLostError);
      await waitFor(() => !processAlive(pid) && !processAlive(sleeper));
      await expect(run.run(["echo", "back"])).resolves.toMatchObject({ stdout: "back\n" });
      expect(agentStarts()).toBe(2);
    },
  );

  it("runs a command issued after the server hung up but before the client saw the socket close", async () => {
    const run = runner();
    const connect = jest.spyOn(Client.prototype, "connect");
    try {
      await run.run(["true"]);
      const client = connect.mock.contexts[0] as Client;
      const next = new Promise((resolve, reject) => client.once("end", () => run.run(["echo", "next"]).then(resolve, reject)));
      server.dropConnections();
      await expect(next).resolves.toMatchObject({ stdout: "next\n" });
    } finally {
      connect.mockRestore();
    }
  });

  it("lets the agent stop its commands and exit when the pool closes its channel", async () => {
    const run = runner();
    const pid = await agentPid(run);
    const pending = run.run(["sh", "-c", "sleep 100 & sleep 100"]).catch((error: unknown) => error);
    let group = 0;
    await waitFor(() => (group = childrenOf(pid).find((child) => child.comm === "sh")?.pid ?? 0) > 0);
    await waitFor(() => groupMembers(group).length === 3);
    pool.close();
    expect(await pending).toBeInstanceOf(SshConnectionLostError);
    await waitFor(() => !processAlive(pid) && groupMembers(group).length === 0);
  });

  it("closes the session after idleTimeoutMs without commands, and opens another when needed", async () => {
    pool.close();
    pool = new SshPool({ sessions: true, idleTimeoutMs: 300 }, logger);
    const run = runner();
    const pid = await agentPid(run);
    await waitFor(() => !processAlive(pid));
    await expect(run.run(["true"])).resolves.toMatchObject({ exitCode: 0 });
    expect(agentStarts()).toBe(2);
  });

  it("keeps streamed stdin and stdout on exec channels", async () => {
    host = agentHost((_command, channel) => reply(channel, { stdout: "streamed" }));
    server.onExec = host.handler;
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    await runner().run(["cat"], { stdout: sink });
    expect(Buffer.concat(chunks).toString()).toBe("streamed");
    expect(agentStarts()).toBe(0);
    expect(pool.stats()["store-1"]).toMatchObject({ commands: 1, execCommands: 1, sessionCommands: 0 });
  });

  it.each([
    ["sudo refuses", { sudo: true }, "sudo: a password is required\n", 1],
    ["perl is missing", {}, "env: 'perl': No such file or directory\n", 127],
  ] as const)("falls back to a channel per command for the host when the agent cannot start (%s), and says so once", async (_case, overrides, stderr, code) => {
    server.onExec = (command, channel) => (isAgentCommand(command) ? reply(channel, { stderr, code }) : reply(channel, { stdout: "ok\n" }));
    const run = runner(overrides);
    for (let i = 0; i < 3; i++) await expect(run.run(["vgs"])).resolves.toMatchObject({ stdout: "ok\n" });
    expect(agentStarts()).toBe(1);
    expect(server.stats.commands).toHaveLength(4);
    expect(infos).toHaveLength(1);
    expect(infos[0]).toContain("running each command on its own SSH channel");
    expect(infos[0]).toContain(stderr.trim());
    expect(infos[0]).toContain(`exit code ${code}`);
    expect(pool.stats()["store-1"]).toMatchObject({ commands: 3, execCommands: 3, sessionCommands: 0, sessionsOpened: 0 });
  });

  it("falls back when the agent never says READY, after the start-up timeout", async () => {
    server.onExec = (command, channel) => (isAgentCommand(command) ? undefined : reply(channel, { stdout: "ok\n" }));
    // The start-up timeout is the connect timeout, which also bounds the SSH handshake: 2 s leaves
    // the handshake room on a machine busy booting lab guests (0.5 s once ran out there).
    const started = Date.now();
    await expect(runner({ connectTimeoutMs: 2_000 }).run(["true"])).resolves.toMatchObject({ stdout: "ok\n" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_950);
    expect(infos[0]).toContain("did not say READY");
  });

  it("runs each command on its own channel when CINDERBLOCK_SSH_SESSION=0", async () => {
    const saved = process.env.CINDERBLOCK_SSH_SESSION;
    process.env.CINDERBLOCK_SSH_SESSION = "0";
    try {
      pool.close();
      pool = new SshPool({}, logger);
    } finally {
      if (saved === undefined) delete process.env.CINDERBLOCK_SSH_SESSION;
      else process.env.CINDERBLOCK_SSH_SESSION = saved;
    }
    await expect(runner().run(["lvm", "fullreport"])).resolves.toMatchObject({ stdout: "ok\n" });
    expect(agentStarts()).toBe(0);
    expect(pool.stats()["store-1"]).toEqual({
      commands: 1,
      sessionCommands: 0,
      lvmShellCommands: 0,
      execCommands: 1,
      sessionsOpened: 0,
      byProgram: { "lvm fullreport": 1 },
      msByProgram: { "lvm fullreport": expect.any(Number) },
    });
    pool.resetStats();
    expect(pool.stats()).toEqual({});
  });
});

describe("HostSessions", () => {
  let hosts: HostConnections;
  afterEach(() => hosts.close());

  it("closes a session whose agent stops answering at the client deadline: timedOut for that command, lost for the others", async () => {
    hosts = new HostConnections(targetFor(server), defaultPoolOptions);
    const sessions = new HostSessions(hosts, logger, { maxCommandsPerSession: 32, idleTimeoutMs: 60_000, startupTimeoutMs: 5_000 });
    const command = { timeoutMs: 100, maxStdoutBytes: MIB, maxStderrBytes: MIB, deadlineMs: 10_000 };
    const first = await sessions.run({ ...command, argv: ["sh", "-c", "echo $PPID"] });
    const pid = Number(first?.stdout.trim());
    const other = sessions.run({ ...command, argv: ["sleep", "100"], timeoutMs: 60_000, deadlineMs: 60_000 });
    let sleeper = 0;
    await waitFor(() => (sleeper = childrenOf(pid).find((child) => child.comm === "sleep")?.pid ?? 0) > 0);
    process.kill(pid, "SIGSTOP");
    try {
      const started = Date.now();
      const hung = await sessions.run({ ...command, argv: ["true"], deadlineMs: 500 });
      expect(hung).toMatchObject({ timedOut: true, connectionLost: false, exitCode: undefined });
      expect(Date.now() - started).toBeLessThan(2_000);
      await expect(other).resolves.toMatchObject({ connectionLost: true, timedOut: false });
    } finally {
      process.kill(pid, "SIGCONT"); // It then reads the end of its stdin and cleans up.
    }
    await waitFor(() => !processAlive(pid) && !processAlive(sleeper));
    await expect(sessions.run({ ...command, argv: ["echo", "new"] })).resolves.toMatchObject({ stdout: "new\n", exitCode: 0 });
    sessions.close();
  });
});

describe("the agent's protocol", () => {
  /** The agent as a local child process, and its stdout cut into frames. */
  function startAgent(): { agent: ChildProcessWithoutNullStreams; frames: AgentFrame[]; stderr: () => string } {
    // Whether this machine has LVM's profile must not change what the agent says.
    const env = { ...process.env, LC_ALL: "C", CINDERBLOCK_LVM_PROFILE: "/nonexistent/lvmdbusd.profile" };
    const agent = spawn("perl", ["-e", agentSource()], { env });
    const decoder = new FrameDecoder();
    const frames: AgentFrame[] = [];
    let stderr = "";
    agent.stdout.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
    agent.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    return { agent, frames, stderr: () => stderr };
  }

  function output(frames: AgentFrame[], id: number, kind: "stdout" | "stderr"): Buffer {
    return Buffer.concat(frames.flatMap((frame) => (frame.kind === kind && frame.id === id ? [frame.data] : [])));
  }

  function exitOf(frames: AgentFrame[], id: number): AgentFrame | undefined {
    return frames.find((frame) => frame.kind === "exit" && frame.id === id);
  }

  function exited(agent: ChildProcessWithoutNullStreams): Promise<number | null> {
    return new Promise((resolve) => {
      if (agent.exitCode !== null) resolve(agent.exitCode);
      else agent.once("exit", (code) => resolve(code));
    });
  }

  it("says READY, then passes all 256 byte values through stdin and stdout exactly", async () => {
    const { agent, frames } = startAgent();
    try {
      agent.stdin.write(encodeRun(1, 5_000, ["cat"], ALL_BYTES));
      agent.stdin.write(encodeRun(2, 5_000, ["perl", "-e", "binmode STDOUT; print map { chr } reverse 0..255"], Buffer.alloc(0)));
      await waitFor(() => exitOf(frames, 1) !== undefined && exitOf(frames, 2) !== undefined);
      expect(frames[0]).toEqual({ kind: "ready", version: "2", capabilities: [] });
      expect(output(frames, 1, "stdout")).toEqual(ALL_BYTES);
      expect(output(frames, 2, "stdout")).toEqual(Buffer.from([...ALL_BYTES].reverse()));
      expect(exitOf(frames, 1)).toEqual({ kind: "exit", id: 1, code: 0, signal: undefined, timedOut: false });
    } finally {
      agent.stdin.end();
      await exited(agent);
    }
  });

  it("stops its commands' groups and exits when its stdin ends", async () => {
    const { agent, frames } = startAgent();
    agent.stdin.write(encodeRun(7, 60_000, ["sh", "-c", "echo $$; sleep 100 & sleep 100"], Buffer.alloc(0)));
    await waitFor(() => output(frames, 7, "stdout").length > 0);
    const group = Number(output(frames, 7, "stdout").toString().trim());
    await waitFor(() => groupMembers(group).length === 3);
    agent.stdin.end();
    await expect(exited(agent)).resolves.toBe(0);
    await waitFor(() => groupMembers(group).length === 0, 2_000);
  });

  it("ignores a CANCEL for a command that is not running, and rejects a malformed request with exit status 2", async () => {
    const { agent, frames, stderr } = startAgent();
    agent.stdin.write(encodeCancel(99));
    agent.stdin.write(encodeRun(1, 5_000, ["true"], Buffer.alloc(0)));
    await waitFor(() => exitOf(frames, 1) !== undefined);
    agent.stdin.write("HELLO there\n");
    await expect(exited(agent)).resolves.toBe(2);
    expect(stderr()).toContain("malformed request: HELLO there");
  });
});

describe("FrameDecoder", () => {
  const stream = Buffer.concat([
    Buffer.from("Welcome from .bashrc\nREADY 2 lvm-shell other\n"),
    Buffer.from("OUT 3 14\nEXIT 3 0 - 0\n\n"),
    Buffer.from(`ERR 4 ${ALL_BYTES.length}\n`),
    ALL_BYTES,
    Buffer.from("EXIT 4 - TERM 1\nEXIT 3 0 - 0\n"),
  ]);
  const expected: AgentFrame[] = [
    { kind: "ready", version: "2", capabilities: ["lvm-shell", "other"] },
    { kind: "stdout", id: 3, data: Buffer.from("EXIT 3 0 - 0\n\n") },
    { kind: "stderr", id: 4, data: ALL_BYTES },
    { kind: "exit", id: 4, code: undefined, signal: "SIGTERM", timedOut: true },
    { kind: "exit", id: 3, code: 0, signal: undefined, timedOut: false },
  ];

  it("cuts frames whose payloads look like frames, wherever the chunks split", () => {
    for (let split = 0; split <= stream.length; split++) {
      const decoder = new FrameDecoder();
      const frames = [...decoder.push(stream.subarray(0, split)), ...decoder.push(stream.subarray(split))];
      expect(frames).toEqual(expected);
      expect(decoder.preamble).toEqual(["Welcome from .bashrc"]);
    }
    const byteByByte = new FrameDecoder();
    expect([...stream].flatMap((byte) => byteByByte.push(Buffer.from([byte])))).toEqual(expected);
  });

  it("refuses output that is not a frame once the agent is ready", () => {
    const decoder = new FrameDecoder();
    expect(() => decoder.push(Buffer.from("READY 1\nsomething else\n"))).toThrow(AgentProtocolError);
  });

  it("encodes a request with byte lengths, not character lengths", () => {
    expect(encodeRun(5, 1_500, ["echo", "ü\n"], Buffer.from("in")).toString()).toBe("RUN 5 1500 2 2\n4\necho3\nü\nin");
    expect(encodeCancel(5).toString()).toBe("CANCEL 5\n");
    expect(encodeLvm(6, 1_500, ["lvs", "vg/ü"]).toString()).toBe("LVM 6 1500 2\n3\nlvs5\nvg/ü");
  });
});
