import type { Readable, Writable } from "node:stream";
import type { Logger } from "../log";
import { silentLogger } from "../log";
import type { ChannelResult } from "./connection";
import { CommandError, SshConnectionLostError } from "./errors";
import { HostSessions } from "./hostSessions";
import { HostConnections, defaultPoolOptions, type PoolOptions } from "./pool";
import { checkArgv, quoteArgv } from "./quote";
import { shownArgv } from "./redact";
import { privilegedArgv } from "./privilege";
import { remoteEnvArgv } from "./remoteEnv";
import { TransportCounters, type CommandPath, type RunnerStats, type TransportStats } from "./stats";
import { describeTarget, type SshTarget } from "./target";

export interface RunOptions {
  /** Deadline for the remote process; it is killed (with its process group) when it passes. Default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  stdin?: Buffer | string | Readable;
  /** Stream stdout here instead of collecting it (large copies). */
  stdout?: Writable;
  /** Collected stdout above this fails the command. Default 32 MiB. */
  maxStdoutBytes?: number;
  /** Exit codes that count as success besides 0 (e.g. `grep`'s 1). */
  okExitCodes?: readonly number[];
  /**
   * An LVM read (`["lvm", "fullreport", ...]`, `["lvs", ...]`): run it in the host's
   * persistent lvm shell when the host has one, saving the start-up of an lvm process. The
   * result is the same either way (stdout the JSON report, LVM's messages on stderr, its exit
   * code); without a shell, with stdin, or with words the shell's line cannot carry, the
   * command runs as usual.
   */
  lvmShell?: boolean;
}

export interface CommandResult {
  host: string;
  argv: readonly string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs argv-form commands on one host. The LVM driver depends on this, never on ssh2. */
export interface CommandRunner {
  /** The host's configured name. */
  readonly host: string;
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

/** Gives a runner per host: the seam between the drivers and the transport (SshPool; fakes in tests). */
export interface HostRunners {
  /** A runner for `target`, named `name` in errors and logs. */
  runner(name: string, target: SshTarget): CommandRunner;
}

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_STDOUT = 32 * 1024 * 1024;
const MAX_STDERR = 256 * 1024;
/** The remote `timeout` gets this long to deliver TERM, then KILL, before the client gives up. */
const KILL_AFTER_S = 3;
const CLIENT_GRACE_MS = 8_000;

/**
 * The remote wrapper around a command on its own channel: a fixed locale and PATH, a remote
 * `timeout` that kills the command's whole process group at the deadline, so a timed-out
 * command never lingers on the host, and on a sudo host the command's `sudo -n` form (see
 * privilege.ts). (In a session the agent does the rest itself.)
 */
export function remoteArgv(argv: readonly string[], options: { sudo: boolean; timeoutMs: number }): string[] {
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  return [...remoteEnvArgv(), "timeout", `--kill-after=${KILL_AFTER_S}`, String(seconds), ...(options.sudo ? privilegedArgv(argv) : argv)];
}

/** timeout(1) exits 124 after TERM and 137 after KILL. */
const TIMEOUT_EXIT_CODES = new Set([124, 137]);

/** How a runner reaches its host: the connections, and the session when the host has one. */
export interface RunnerTransport {
  connections: HostConnections;
  /** Undefined: every command on its own channel. */
  sessions?: HostSessions | undefined;
  stats?: RunnerStats | undefined;
}

export class SshRunner implements CommandRunner {
  private readonly connections: HostConnections;
  private readonly sessions: HostSessions | undefined;
  private readonly stats: RunnerStats | undefined;

  constructor(
    readonly host: string,
    transport: RunnerTransport,
    private readonly logger: Logger,
  ) {
    this.connections = transport.connections;
    this.sessions = transport.sessions;
    this.stats = transport.stats;
  }

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const maxStdoutBytes = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
    const shown = shownArgv(argv).join(" ");
    if (options.signal?.aborted) {
      throw new CommandError({
        host: this.host,
        argv,
        exitCode: undefined,
        signal: undefined,
        stdout: "",
        stderr: "",
        durationMs: 0,
        timedOut: false,
        cancelled: true,
      });
    }
    checkArgv(argv); // Before anything goes on the wire, whichever way the command travels.
    const { result, via } = await this.send(argv, options, timeoutMs, maxStdoutBytes);
    this.stats?.command(argv, via, result.durationMs);
    if (result.connectionLost) {
      throw new SshConnectionLostError(describeTarget(this.connections.target), argv, this.connections.lostBecause);
    }
    // Only timeout(1) on an exec channel speaks through exit codes; the agent says timedOut.
    const remoteTimeout = via === "exec" && result.exitCode !== undefined && TIMEOUT_EXIT_CODES.has(result.exitCode) && result.durationMs >= timeoutMs * 0.9;
    const ok =
      !result.timedOut &&
      !result.cancelled &&
      !result.stdoutOverflow &&
      !remoteTimeout &&
      result.exitCode !== undefined &&
      (result.exitCode === 0 || (options.okExitCodes ?? []).includes(result.exitCode));
    this.logger.debug(`${this.host}: ${shown} -> ${result.exitCode ?? result.signal ?? "no status"} in ${result.durationMs} ms via ${via}`);
    if (!ok) {
      throw new CommandError({
        host: this.host,
        argv,
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: result.stdout,
        stderr: result.stdoutOverflow ? `output exceeded ${maxStdoutBytes} bytes\n${result.stderr}` : result.stderr,
        durationMs: result.durationMs,
        timedOut: result.timedOut || remoteTimeout,
        cancelled: result.cancelled,
      });
    }
    return {
      host: this.host,
      argv,
      exitCode: result.exitCode ?? 0,
      stdout: result.stdout,
      stderr: result.stderr,
      durationMs: result.durationMs,
    };
  }

  /** The host's session when it has one and the command fits in frames, else an exec channel. */
  private async send(
    argv: readonly string[],
    options: RunOptions,
    timeoutMs: number,
    maxStdoutBytes: number,
  ): Promise<{ result: ChannelResult; via: CommandPath }> {
    const { stdin, signal } = options;
    const deadlineMs = timeoutMs + CLIENT_GRACE_MS;
    // Streams stay on their own channels: a request frame to the agent holds its stdin whole,
    // and its stdout comes back collected.
    const framable = options.stdout === undefined && (stdin === undefined || typeof stdin === "string" || Buffer.isBuffer(stdin));
    if (this.sessions && framable) {
      const runArgv = this.connections.target.sudo ? privilegedArgv(argv) : argv;
      const result = await this.sessions.run(
        { argv, runArgv, stdin, timeoutMs, maxStdoutBytes, maxStderrBytes: MAX_STDERR, deadlineMs, signal, lvmShell: options.lvmShell },
        () => this.stats?.sessionOpened(),
      );
      if (result) return { result, via: result.lvmShell ? "lvm shell" : "session" };
    }
    const result = await this.connections.exec({
      command: quoteArgv(remoteArgv(argv, { sudo: this.connections.target.sudo, timeoutMs })),
      stdin,
      stdout: options.stdout,
      maxStdoutBytes,
      maxStderrBytes: MAX_STDERR,
      deadlineMs,
      signal,
    });
    return { result, via: "exec" };
  }
}

export interface SshPoolOptions extends PoolOptions {
  /**
   * Run commands through one long-lived session agent per host (see agent.pl) instead of a
   * channel each. Default: on, unless the environment says `CINDERBLOCK_SSH_SESSION=0`.
   */
  sessions: boolean;
  /** Commands one session runs at once; more queue. */
  maxCommandsPerSession: number;
}

const MAX_COMMANDS_PER_SESSION = 32;

interface HostEntry {
  connections: HostConnections;
  sessions: HostSessions | undefined;
}

/**
 * One pool for the whole process: a `HostConnections` (and a session) per distinct target,
 * shared by every runner for that host, so a Pulumi deployment with many resources reuses a
 * handful of connections.
 */
export class SshPool implements HostRunners {
  private readonly hosts = new Map<string, HostEntry>();
  private readonly options: SshPoolOptions;
  private readonly counters = new TransportCounters();

  constructor(
    options: Partial<SshPoolOptions> = {},
    private readonly logger: Logger = silentLogger,
  ) {
    this.options = {
      ...defaultPoolOptions,
      sessions: process.env.CINDERBLOCK_SSH_SESSION !== "0",
      maxCommandsPerSession: MAX_COMMANDS_PER_SESSION,
      ...options,
    };
  }

  /** A runner for `target`, named `name` in errors and logs. */
  runner(name: string, target: SshTarget): CommandRunner {
    const key = JSON.stringify([
      target.address,
      target.port,
      target.user,
      target.privateKeyPath ?? "",
      target.privateKey ?? "",
      target.hostKey ?? "",
      target.knownHostsPath ?? "",
      target.sudo,
    ]);
    let entry = this.hosts.get(key);
    if (!entry) {
      const connections = new HostConnections(target, this.options);
      const sessions = this.options.sessions
        ? new HostSessions(connections, this.logger, {
            maxCommandsPerSession: this.options.maxCommandsPerSession,
            idleTimeoutMs: this.options.idleTimeoutMs,
            startupTimeoutMs: target.connectTimeoutMs,
          })
        : undefined;
      entry = { connections, sessions };
      this.hosts.set(key, entry);
    }
    return new SshRunner(name, { connections: entry.connections, sessions: entry.sessions, stats: this.counters.for(name) }, this.logger);
  }

  /** Open connections across all hosts. */
  get connectionCount(): number {
    return [...this.hosts.values()].reduce((sum, host) => sum + host.connections.size, 0);
  }

  /** What the runners ran so far, by runner name (since the last `resetStats`). */
  stats(): Record<string, TransportStats> {
    return this.counters.snapshot();
  }

  resetStats(): void {
    this.counters.reset();
  }

  close(): void {
    for (const host of this.hosts.values()) {
      host.sessions?.close();
      host.connections.close();
    }
    this.hosts.clear();
  }
}
