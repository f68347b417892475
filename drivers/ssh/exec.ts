import type { Readable, Writable } from "node:stream";
import type { Logger } from "../log";
import { silentLogger } from "../log";
import { CommandError, SshConnectionLostError } from "./errors";
import { HostConnections, defaultPoolOptions, type PoolOptions } from "./pool";
import { quoteArgv } from "./quote";
import { redactArgv } from "./redact";
import { remoteEnvArgv } from "./remoteEnv";
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

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_STDOUT = 32 * 1024 * 1024;
const MAX_STDERR = 256 * 1024;
/** The remote `timeout` gets this long to deliver TERM, then KILL, before the client gives up. */
const KILL_AFTER_S = 3;
const CLIENT_GRACE_MS = 8_000;

/**
 * The remote wrapper around every command: optional `sudo -n`, a fixed locale and PATH, and a
 * remote `timeout` that kills the command's whole process group at the deadline, so a timed-out
 * command never lingers on the host.
 */
export function remoteArgv(argv: readonly string[], options: { sudo: boolean; timeoutMs: number }): string[] {
  const seconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
  return [
    ...remoteEnvArgv(options.sudo),
    "timeout",
    `--kill-after=${KILL_AFTER_S}`,
    String(seconds),
    ...argv,
  ];
}

/** timeout(1) exits 124 after TERM and 137 after KILL. */
const TIMEOUT_EXIT_CODES = new Set([124, 137]);

export class SshRunner implements CommandRunner {
  constructor(
    readonly host: string,
    private readonly connections: HostConnections,
    private readonly logger: Logger,
  ) {}

  async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const wrapped = remoteArgv(argv, { sudo: this.connections.target.sudo, timeoutMs });
    const shown = redactArgv(argv).join(" ");
    if (options.signal?.aborted) {
      throw new CommandError({ host: this.host, argv, exitCode: undefined, signal: undefined, stdout: "", stderr: "", durationMs: 0, timedOut: false, cancelled: true });
    }
    const result = await this.connections.exec({
      command: quoteArgv(wrapped),
      stdin: options.stdin,
      stdout: options.stdout,
      maxStdoutBytes: options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT,
      maxStderrBytes: MAX_STDERR,
      deadlineMs: timeoutMs + CLIENT_GRACE_MS,
      signal: options.signal,
    });
    if (result.connectionLost) {
      throw new SshConnectionLostError(describeTarget(this.connections.target), argv);
    }
    const remoteTimeout =
      result.exitCode !== undefined && TIMEOUT_EXIT_CODES.has(result.exitCode) && result.durationMs >= timeoutMs * 0.9;
    const ok =
      !result.timedOut &&
      !result.cancelled &&
      !result.stdoutOverflow &&
      !remoteTimeout &&
      result.exitCode !== undefined &&
      (result.exitCode === 0 || (options.okExitCodes ?? []).includes(result.exitCode));
    this.logger.debug(`${this.host}: ${shown} -> ${result.exitCode ?? result.signal ?? "no status"} in ${result.durationMs} ms`);
    if (!ok) {
      throw new CommandError({
        host: this.host,
        argv,
        exitCode: result.exitCode,
        signal: result.signal,
        stdout: result.stdout,
        stderr: result.stdoutOverflow
          ? `output exceeded ${options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT} bytes\n${result.stderr}`
          : result.stderr,
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
}

/**
 * One pool for the whole process: a `HostConnections` per distinct target, shared by every
 * runner for that host, so a Pulumi deployment with many resources reuses a handful of
 * connections.
 */
export class SshPool {
  private readonly hosts = new Map<string, HostConnections>();
  private readonly options: PoolOptions;

  constructor(
    options: Partial<PoolOptions> = {},
    private readonly logger: Logger = silentLogger,
  ) {
    this.options = { ...defaultPoolOptions, ...options };
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
    let connections = this.hosts.get(key);
    if (!connections) {
      connections = new HostConnections(target, this.options);
      this.hosts.set(key, connections);
    }
    return new SshRunner(name, connections, this.logger);
  }

  /** Open connections across all hosts. */
  get connectionCount(): number {
    return [...this.hosts.values()].reduce((sum, host) => sum + host.size, 0);
  }

  close(): void {
    for (const host of this.hosts.values()) host.close();
    this.hosts.clear();
  }
}
