import { redact, redactArgv, shownArgv } from "./redact";

/** Base of every transport error. `code` tells them apart across realms and serializations. */
export abstract class SshError extends Error {
  abstract readonly code: string;
  /** One line a user can act on; `message` may add detail. */
  readonly shortMessage: string;

  constructor(shortMessage: string, detail?: string, options?: { cause?: unknown }) {
    const short = redact(shortMessage);
    super(detail ? `${short}\n${redact(detail)}` : short, options);
    this.shortMessage = short;
    Object.defineProperty(this, "name", { value: new.target.name, enumerable: false });
  }
}

/** The connection settings themselves are unusable (a missing key file, no auth method, ...). */
export class SshConfigError extends SshError {
  readonly code = "SSH_CONFIG";
}

/** The host could not be reached or the SSH handshake did not finish in time. */
export class SshConnectError extends SshError {
  readonly code = "SSH_CONNECT";
  constructor(
    readonly destination: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot connect to ${destination}: ${reason}`, undefined, options);
  }
}

/** The server refused every authentication method we offered. */
export class SshAuthError extends SshError {
  readonly code = "SSH_AUTH";
  constructor(
    readonly destination: string,
    methods: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      `authentication to ${destination} failed (tried: ${methods.join(", ") || "none"}); ` +
        "check the user name and that its authorized_keys holds the configured key",
      undefined,
      options,
    );
  }
}

/** The host presented a key that is not the pinned one (or no key is known for it). */
export class HostKeyError extends SshError {
  readonly code = "SSH_HOST_KEY";
  constructor(
    readonly destination: string,
    /** `SHA256:...` fingerprint of the key the host presented. */
    readonly presentedFingerprint: string,
    readonly presentedType: string,
    expected: string,
  ) {
    super(
      `host key verification failed for ${destination}: it presented ${presentedType} ${presentedFingerprint}, ` +
        `expected ${expected}. If the host was legitimately re-keyed, update its pinned hostKey; otherwise do not connect.`,
    );
  }
}

/** The connection broke while a command was running; whether the command finished is unknown. */
export class SshConnectionLostError extends SshError {
  readonly code = "SSH_CONNECTION_LOST";
  constructor(
    readonly destination: string,
    readonly command: readonly string[],
    /** Why, where the connection knows (a host that stopped answering). */
    readonly because?: string,
    options?: { cause?: unknown },
  ) {
    super(
      `connection to ${destination} was lost while running ${shownArgv(command).join(" ")}` +
        (because ? ` (${because})` : "") +
        "; the command may or may not have completed",
      undefined,
      options,
    );
  }
}

export interface CommandFailure {
  /** The host's configured name (not its address). */
  host: string;
  argv: readonly string[];
  /** Undefined when the command ended without reporting an exit status. */
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

const STDERR_IN_MESSAGE = 2000;

/**
 * A remote command that did not succeed. Carries the whole result (execa's habit) so callers
 * can classify it by exit code and stderr; every string in it is redacted.
 */
export class CommandError extends SshError {
  readonly code = "SSH_COMMAND";
  readonly host: string;
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly cancelled: boolean;

  constructor(failure: CommandFailure) {
    const argv = redactArgv(failure.argv);
    const shown = shownArgv(failure.argv);
    const stderr = redact(failure.stderr);
    const program = shown[0] ?? "command";
    const firstLine = stderr
      .trim()
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim();
    let reason: string;
    if (failure.timedOut) reason = `timed out after ${Math.round(failure.durationMs / 100) / 10} s and was killed`;
    else if (failure.cancelled) reason = "was cancelled";
    else if (failure.signal) reason = `was killed by ${failure.signal}`;
    else if (failure.exitCode === undefined) reason = "ended without an exit status";
    else reason = `failed with exit code ${failure.exitCode}`;
    const short = `${program} on ${failure.host} ${reason}${firstLine ? `: ${firstLine}` : ""}`;
    const detail = [`command: ${shown.join(" ")}`, stderr.trim() ? `stderr:\n${stderr.trim().slice(-STDERR_IN_MESSAGE)}` : ""].filter(Boolean).join("\n");
    super(short, detail);
    this.host = failure.host;
    this.argv = argv;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.stdout = redact(failure.stdout);
    this.stderr = stderr;
    this.durationMs = failure.durationMs;
    this.timedOut = failure.timedOut;
    this.cancelled = failure.cancelled;
  }
}

export function isCommandError(error: unknown): error is CommandError {
  return error instanceof Error && (error as { code?: unknown }).code === "SSH_COMMAND";
}
