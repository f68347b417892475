import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../../../../drivers/log";
import { isLvmNotFound } from "../../../../drivers/lvm/core/errors";
import { agentSource } from "../../../../drivers/ssh/agent";
import { FrameDecoder, type AgentFrame } from "../../../../drivers/ssh/agentProtocol";
import { CommandError, SshConnectionLostError, isCommandError } from "../../../../drivers/ssh/errors";
import { SshPool, type CommandRunner, type RunOptions } from "../../../../drivers/ssh/exec";
import { fitsLvmShell } from "../../../../drivers/ssh/lvmShell";
import { agentHost, isAgentCommand, processAlive, type AgentHost } from "../../../fakes/agentHost";
import { reply, startFakeSshServer, targetFor, waitFor, type FakeSshServer } from "../../../fakes/sshServer";

/** The fake lvm (test/fakes/lvmShell.pl) installed as `lvm` and `lvs` in a directory of its own. */
const FAKE_LVM = join(__dirname, "../../../fakes/lvmShell.pl");

let server: FakeSshServer;
let dir: string;
let binDir: string;
let profile: string;
let fakeLog: string;
let host: AgentHost;
let pool: SshPool;
let debugs: string[];

const logger: Logger = { debug: (message) => debugs.push(message), info() {}, warn() {} };

beforeAll(async () => {
  server = await startFakeSshServer();
  dir = mkdtempSync(join(tmpdir(), "cb-lvm-shell-"));
  binDir = join(dir, "bin");
  mkdirSync(binDir);
  symlinkSync(FAKE_LVM, join(binDir, "lvm"));
  symlinkSync(FAKE_LVM, join(binDir, "lvs"));
  profile = join(dir, "lvmdbusd.profile");
  writeFileSync(profile, "# the agent only checks that it can read this\n");
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

let logCount = 0;
function useHost(options: { profile?: string } = {}): void {
  fakeLog = join(dir, `fake-lvm-${++logCount}.log`);
  host = agentHost(undefined, { binDir, env: { CINDERBLOCK_LVM_PROFILE: options.profile ?? profile, FAKE_LVM_LOG: fakeLog } });
  server.onExec = host.handler;
}

beforeEach(() => {
  useHost();
  server.stats.commands.length = 0;
  debugs = [];
  pool = new SshPool({ sessions: true }, logger);
});
afterEach(async () => {
  pool.close();
  // The agents go away by themselves once their channels are gone, and their lvm shells with them.
  await waitFor(() => host.shells.every((shell) => shell.exitCode !== null || shell.signalCode !== null));
  await waitFor(() => shellPids().every((pid) => !processAlive(pid)));
});

function runner(): CommandRunner {
  return pool.runner("store-1", targetFor(server));
}

function lvm(run: CommandRunner, argv: readonly string[], options: RunOptions = {}): ReturnType<CommandRunner["run"]> {
  return run.run(argv, { ...options, lvmShell: true });
}

/** What the fake lvm noted: `start <pid>` and `line <pid> <command line>`. */
function fakeNotes(): string[] {
  return existsSync(fakeLog) ? readFileSync(fakeLog, "utf8").split("\n").filter(Boolean) : [];
}

function shellPids(): number[] {
  return fakeNotes().flatMap((note) => (note.startsWith("start ") ? [Number(note.slice(6))] : []));
}

function linesRun(): string[] {
  return fakeNotes().flatMap((note) => (note.startsWith("line ") ? [note.replace(/^line \d+ /, "")] : []));
}

interface Report {
  report: Array<{ lv?: Array<Record<string, string>>; vg?: unknown[] }>;
  log: Array<Record<string, string>>;
}

function report(stdout: string): Report {
  return JSON.parse(stdout) as Report;
}

/** The pid of the lvm shell that answered, and the line it was given, from the fake's rows. */
function answeredBy(stdout: string): { pid: number; line: string } {
  const row = report(stdout).report[0]?.lv?.[0];
  return { pid: Number(row?.pid), line: row?.line ?? "" };
}

async function commandError(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!isCommandError(error)) throw new Error(`expected a CommandError, got ${String(error)}`);
  return error;
}

describe("LVM reads in the host's lvm shell", () => {
  it("answers from one persistent lvm shell, the JSON report as stdout, counted apart", async () => {
    const run = runner();
    const argv = ["lvm", "fullreport", "-a", "--configreport", "vg", "-o", "vg_name,vg_free", "cinder-volumes"];
    const full = await lvm(run, argv);
    expect(full).toEqual({ host: "store-1", argv, exitCode: 0, stdout: expect.any(String), stderr: "", durationMs: expect.any(Number) });
    const rows = report(full.stdout).report[0]?.lv;
    // Braces, quotes and backslashes inside strings did not end the document early.
    expect(rows?.[0]?.lv_tags).toBe('cb{"odd}}\\');
    expect(rows?.[1]?.lv_tags).toBe('{{\\"');
    expect(answeredBy(full.stdout).line).toBe("fullreport -a --configreport vg -o vg_name,vg_free cinder-volumes");

    const lvs = await lvm(run, ["lvs", "-o", "lv_name,lv_time", "cinder-volumes"]);
    expect(answeredBy(lvs.stdout)).toEqual({ pid: answeredBy(full.stdout).pid, line: "lvs -o lv_name,lv_time cinder-volumes" });
    // A report that arrives a byte at a time is cut at the same place.
    const trickled = await lvm(run, ["lvs", "trickle"]);
    expect(report(trickled.stdout).report[0]?.lv?.[1]?.lv_attr).toBe('"log": [{"log_context":"shell", "log_ret_code":"9"}]');

    expect(shellPids()).toHaveLength(1);
    expect(pool.stats()["store-1"]).toEqual({
      commands: 3,
      sessionCommands: 3,
      lvmShellCommands: 3,
      execCommands: 0,
      sessionsOpened: 1,
      byProgram: { "lvm fullreport": 1, lvs: 2 },
      msByProgram: { "lvm fullreport": expect.any(Number), lvs: expect.any(Number) },
    });
    expect(debugs.filter((line) => line.includes("via lvm shell"))).toHaveLength(3);
  });

  it("fails like the lvm command would: exit 5, LVM's messages from lastlog on stderr, recognised as not found", async () => {
    const run = runner();
    const vg = await commandError(lvm(run, ["vgs", "nosuchvg"]));
    expect(vg).toMatchObject({ exitCode: 5, signal: undefined, timedOut: false, cancelled: false });
    expect(vg.stderr).toBe('  Volume group "nosuchvg" not found\n  Cannot process volume group nosuchvg\n');
    expect(report(vg.stdout).report).toEqual([{ vg: [] }]);
    expect(isLvmNotFound(vg)).toBe(true);

    const lv = await commandError(lvm(run, ["lvs", "cinder-volumes/nosuchlv"]));
    expect(lv.stderr).toBe('  Failed to find logical volume "cinder-volumes/nosuchlv"\n');
    expect(isLvmNotFound(lv)).toBe(true);

    const noStatus = await commandError(lvm(run, ["lvs", "nostatus"]));
    expect(noStatus.exitCode).toBe(1);
    expect(noStatus.stderr).toContain("the lvm shell reported no status for this command");
    expect(isLvmNotFound(noStatus)).toBe(false);

    await expect(lvm(run, ["lvs", "after"])).resolves.toMatchObject({ exitCode: 0 });
    expect(linesRun()).toEqual(["vgs nosuchvg", "lastlog", "lvs cinder-volumes/nosuchlv", "lastlog", "lvs nostatus", "lvs after"]);
    expect(shellPids()).toHaveLength(1);
  });

  it("runs concurrent LVM requests one at a time, in order, in one shell", async () => {
    const run = runner();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => lvm(run, ["lvs", "sleep=0.05", `n${i}`])));
    expect(results.map((result) => answeredBy(result.stdout).line)).toEqual(Array.from({ length: 10 }, (_, i) => `lvs sleep=0.05 n${i}`));
    expect(linesRun()).toEqual(Array.from({ length: 10 }, (_, i) => `lvs sleep=0.05 n${i}`));
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(shellPids()).toHaveLength(1);
  });

  it("runs ordinary commands beside a slow LVM request", async () => {
    const run = runner();
    let slowDone = false;
    const slow = lvm(run, ["lvs", "sleep=1.5"]).finally(() => (slowDone = true));
    await waitFor(() => linesRun().length === 1);
    await expect(run.run(["echo", "beside"])).resolves.toMatchObject({ stdout: "beside\n" });
    expect(slowDone).toBe(false);
    await expect(slow).resolves.toMatchObject({ exitCode: 0 });
  });

  it("kills a shell that outlives the request's timeout; the next request gets a new shell", async () => {
    const run = runner();
    const started = Date.now();
    const error = await commandError(lvm(run, ["lvs", "hang"], { timeoutMs: 500 }));
    expect(error).toMatchObject({ timedOut: true, cancelled: false, signal: "SIGTERM" });
    expect(error.shortMessage).toMatch(/^lvs on store-1 timed out after/);
    expect(Date.now() - started).toBeLessThan(3_000);
    const [first = 0] = shellPids();
    await waitFor(() => !processAlive(first), 2_000);
    const next = await lvm(run, ["lvs", "next"]);
    expect(answeredBy(next.stdout).pid).not.toBe(first);
    expect(shellPids()).toHaveLength(2);
  });

  it("sends KILL 3 s after TERM to a shell that ignores TERM", async () => {
    const run = runner();
    const started = Date.now();
    const error = await commandError(lvm(run, ["lvs", "stubborn", "hang"], { timeoutMs: 300 }));
    expect(error).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
    expect(Date.now() - started).toBeLessThan(6_000);
    await expect(lvm(run, ["lvs", "next"])).resolves.toMatchObject({ exitCode: 0 });
    expect(shellPids()).toHaveLength(2);
  }, 15_000);

  it("times out a request that waited its whole deadline behind another", async () => {
    const run = runner();
    const slow = lvm(run, ["lvs", "sleep=1"]);
    await waitFor(() => linesRun().length === 1);
    const error = await commandError(lvm(run, ["lvs", "queued"], { timeoutMs: 300 }));
    expect(error).toMatchObject({ timedOut: true, exitCode: undefined, signal: undefined });
    await expect(slow).resolves.toMatchObject({ exitCode: 0 });
    expect(linesRun()).toEqual(["lvs sleep=1"]);
  });

  it("reports a shell that dies mid-command with its status, never as success, and starts another", async () => {
    const run = runner();
    const killed = await commandError(lvm(run, ["lvs", "die"]));
    expect(killed).toMatchObject({ exitCode: undefined, signal: "SIGKILL", timedOut: false });
    expect(killed.stderr).toContain("the lvm shell ended (signal KILL) before it answered");
    const exited = await commandError(lvm(run, ["lvs", "exit0"]));
    expect(exited).toMatchObject({ exitCode: 1, signal: undefined });
    expect(exited.stderr).toContain("the lvm shell ended (exit code 0) before it answered");
    await expect(lvm(run, ["lvs", "again"])).resolves.toMatchObject({ exitCode: 0 });
    expect(shellPids()).toHaveLength(3);
  });

  it("cancels a queued request without touching the shell, and the running one by stopping the shell", async () => {
    const run = runner();
    const slow = lvm(run, ["lvs", "sleep=1"]);
    await waitFor(() => linesRun().length === 1);
    const queued = new AbortController();
    setTimeout(() => queued.abort(), 100);
    const started = Date.now();
    await expect(commandError(lvm(run, ["lvs", "queued"], { signal: queued.signal }))).resolves.toMatchObject({ cancelled: true });
    expect(Date.now() - started).toBeLessThan(800);
    await expect(slow).resolves.toMatchObject({ exitCode: 0 });

    const running = new AbortController();
    setTimeout(() => running.abort(), 300);
    const hung = await commandError(lvm(run, ["lvs", "hang"], { signal: running.signal }));
    expect(hung).toMatchObject({ cancelled: true, timedOut: false });
    expect(hung.shortMessage).toBe("lvs on store-1 was cancelled");
    const [shell = 0] = shellPids();
    await waitFor(() => !processAlive(shell), 2_000);
    expect(linesRun()).toEqual(["lvs sleep=1", "lvs hang"]);
    await expect(lvm(run, ["lvs", "after"])).resolves.toMatchObject({ exitCode: 0 });
    expect(shellPids()).toHaveLength(2);
  });

  it("stops the shell when the session ends under a request", async () => {
    const run = runner();
    const pending = lvm(run, ["lvs", "hang"]);
    await waitFor(() => linesRun().length === 1);
    pool.close();
    await expect(pending).rejects.toBeInstanceOf(SshConnectionLostError);
    const [shell = 0] = shellPids();
    await waitFor(() => !processAlive(shell), 2_000);
  });

  it.each([
    ["a word the shell's line cannot carry", ["lvs", "-S", "lv_name=~'x y'"], {}, "standalone lvs -S lv_name=~'x y'\n"],
    ["an empty word", ["lvs", "", "vg"], {}, "standalone lvs  vg\n"],
    ["stdin", ["lvs", "vg"], { stdin: "x" }, "standalone lvs vg\n"],
  ] as const)("runs the command as its own process for %s", async (_case, argv, options, stdout) => {
    await expect(lvm(runner(), argv, options)).resolves.toMatchObject({ stdout });
    expect(shellPids()).toHaveLength(0);
    expect(pool.stats()["store-1"]).toMatchObject({ sessionCommands: 1, lvmShellCommands: 0 });
  });

  it("runs the command as its own process on a host without LVM's lvmdbusd profile", async () => {
    useHost({ profile: join(dir, "missing.profile") });
    await expect(lvm(runner(), ["lvs", "vg"])).resolves.toMatchObject({ stdout: "standalone lvs vg\n" });
    expect(shellPids()).toHaveLength(0);
    expect(pool.stats()["store-1"]).toMatchObject({ sessionCommands: 1, lvmShellCommands: 0 });
    expect(debugs.some((line) => line.endsWith("via session"))).toBe(true);
  });

  it("runs the command on its own channel without sessions", async () => {
    pool.close();
    pool = new SshPool({ sessions: false }, logger);
    server.onExec = (command, channel) => (isAgentCommand(command) ? reply(channel, { code: 1 }) : reply(channel, { stdout: command }));
    const result = await lvm(runner(), ["lvs", "vg"]);
    expect(result.stdout).toMatch(/timeout --kill-after=3 120 lvs vg$/);
    expect(pool.stats()["store-1"]).toMatchObject({ execCommands: 1, lvmShellCommands: 0 });
  });
});

describe("the agent's lvm-shell capability", () => {
  function readyFrame(lvmProfile: string): Promise<AgentFrame | undefined> {
    const agent = spawn("perl", ["-e", agentSource()], { env: { ...process.env, LC_ALL: "C", CINDERBLOCK_LVM_PROFILE: lvmProfile } });
    const decoder = new FrameDecoder();
    return new Promise((resolve) => {
      agent.stdout.on("data", (chunk: Buffer) => {
        resolve(decoder.push(chunk)[0]);
        agent.stdin.end();
      });
      agent.on("exit", () => resolve(undefined));
    });
  }

  it("is advertised only when LVM's lvmdbusd profile is readable", async () => {
    await expect(readyFrame(profile)).resolves.toEqual({ kind: "ready", version: "2", capabilities: ["lvm-shell"] });
    await expect(readyFrame(join(dir, "missing.profile"))).resolves.toEqual({ kind: "ready", version: "2", capabilities: [] });
  });

  it("takes only argv the shell's line carries intact", () => {
    expect(fitsLvmShell(["lvm", "fullreport", "-o", "vg_name,vg_free", "--configreport", "vg", "cinder-volumes"])).toBe(true);
    expect(fitsLvmShell(["lvs", "-S", "lv_tags=cb@x+y%z:1/2"])).toBe(true);
    for (const argv of [
      ["lvm"],
      [],
      ["lvs", "a b"],
      ["lvs", "x\ny"],
      ["lvs", "'q'"],
      ["lvs", '"q"'],
      ["lvs", ""],
      ["lvs", "a;b"],
      ["lvs", "x".repeat(20_000)],
    ]) {
      expect(fitsLvmShell(argv)).toBe(false);
    }
  });
});
