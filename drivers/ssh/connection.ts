import { readFile } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { Client, type ConnectConfig, type ClientChannel } from "ssh2";
import { HostKeyError, SshAuthError, SshConfigError, SshConnectError } from "./errors";
import { acceptsKey, fingerprint, hostKeyAlgorithmsFor, keyTypeOf, type HostKeyPolicy } from "./hostKey";
import { registerSecret } from "./redact";
import { describeTarget, type SshTarget } from "./target";

export interface ChannelRequest {
  /** Command text, already quoted by `quoteArgv`. */
  command: string;
  stdin?: Buffer | string | Readable | undefined;
  /** When set, stdout streams here instead of being collected. */
  stdout?: Writable | undefined;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** Client-side deadline; the channel is closed when it passes. */
  deadlineMs: number;
  signal?: AbortSignal | undefined;
}

export interface ChannelResult {
  exitCode: number | undefined;
  signal: string | undefined;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  stdoutOverflow: boolean;
  /** The connection closed under the channel. */
  connectionLost: boolean;
}

/** Opening a channel failed before the command started; safe to retry on another connection. */
export class ChannelOpenError extends Error {
  constructor(
    readonly connectionAlive: boolean,
    options: { cause: unknown },
  ) {
    super(`could not open an SSH channel: ${(options.cause as Error)?.message ?? options.cause}`, options);
  }
}

/**
 * The exec request went out on a connection that then died before the server answered it: the
 * command may have started, so it must not be retried as if it never had.
 */
class ExecOutcomeUnknown extends Error {}

/** ssh2's message when the exec request went out and got no success reply (refused, or the connection died). */
const EXEC_SENT = "Unable to exec";

export interface ConnectionOptions {
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

/** One authenticated ssh2 client. The pool decides how many channels it carries. */
export class SshConnection {
  private closed = false;
  /** Channels in use, counted by the pool. */
  activeChannels = 0;
  /** Lowered when the server refuses channels below our own cap (a smaller `MaxSessions`). */
  channelLimit = Number.POSITIVE_INFINITY;
  lastUsed = Date.now();

  /** Why the connection ended, where it was not closed by either side: set once it has. */
  lostBecause: string | undefined;

  private constructor(
    private readonly client: Client,
    readonly destination: string,
    silenceMs: number,
  ) {
    const gone = (): void => {
      this.closed = true;
    };
    client.on("close", gone);
    client.on("end", gone);
    // After the handshake, ssh2 reports a host that stopped answering its keepalives this way and then closes.
    client.on("error", (error: Error & { level?: string }) => {
      if (error.level === "client-timeout") this.lostBecause = `the host stopped answering (no reply to keepalives for ${silenceMs / 1000} s)`;
    });
  }

  get alive(): boolean {
    return !this.closed;
  }

  static async open(target: SshTarget, policy: HostKeyPolicy, options: ConnectionOptions): Promise<SshConnection> {
    const destination = describeTarget(target);
    const config = await buildConnectConfig(target, options);
    const methods = authMethods(target);
    let presented: Buffer | undefined;
    config.hostVerifier = (key: Buffer) => {
      presented = key;
      return acceptsKey(policy, key);
    };
    const pinnedTypes = policy.keys.map((key) => key.type);
    if (pinnedTypes.length > 0 && policy.fingerprints.length === 0) {
      config.algorithms = { serverHostKey: hostKeyAlgorithmsFor(pinnedTypes) as never };
    }

    const client = new Client();
    return await new Promise<SshConnection>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        reject(error);
      };
      // ssh2's readyTimeout starts after TCP connect; this bounds the whole attempt.
      const timer = setTimeout(
        () => fail(new SshConnectError(destination, `no SSH handshake within ${target.connectTimeoutMs / 1000} s`)),
        target.connectTimeoutMs,
      );
      client.on("error", (error: Error & { level?: string; code?: string }) => {
        if (settled) return; // Later errors surface as a closed connection.
        if (presented && !acceptsKey(policy, presented)) {
          fail(new HostKeyError(destination, fingerprint(presented), keyTypeOf(presented), policy.describe));
        } else if (error.level === "client-authentication") {
          fail(new SshAuthError(destination, methods, { cause: error }));
        } else if (/no matching host key/i.test(error.message)) {
          fail(
            new SshConnectError(
              destination,
              `the host has no host key of the pinned type (${pinnedTypes.join(", ")}); pin one of its actual keys (ssh-keyscan)`,
              { cause: error },
            ),
          );
        } else if (error.level === "client-timeout") {
          fail(new SshConnectError(destination, `no SSH handshake within ${target.connectTimeoutMs / 1000} s`, { cause: error }));
        } else {
          fail(new SshConnectError(destination, describeSocketError(error), { cause: error }));
        }
      });
      client.on("close", () => fail(new SshConnectError(destination, "the server closed the connection during the handshake")));
      client.on("ready", () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const keepalive = keepaliveOf(target, options);
        resolve(new SshConnection(client, destination, keepalive.intervalMs * keepalive.countMax));
      });
      try {
        client.connect(config);
      } catch (error) {
        // ssh2 parses the private key synchronously inside connect().
        fail(new SshConfigError(`the private key for ${destination} cannot be used (wrong passphrase or unsupported format)`, undefined, { cause: error }));
      }
    });
  }

  /**
   * Runs one command on a new channel and resolves when the channel closes. The pool, not
   * this method, counts the channels in use (`activeChannels`).
   */
  async exec(request: ChannelRequest): Promise<ChannelResult> {
    const started = Date.now();
    let opened: { result: Promise<ChannelResult> };
    try {
      opened = await this.openChannel(request.command, (channel) => ({
        result: collect(channel, request, started, () => this.alive),
      }));
    } catch (error) {
      if (!(error instanceof ExecOutcomeUnknown)) throw error;
      const durationMs = Date.now() - started;
      return {
        exitCode: undefined,
        signal: undefined,
        stdout: "",
        stderr: "",
        durationMs,
        timedOut: false,
        cancelled: false,
        stdoutOverflow: false,
        connectionLost: true,
      };
    }
    const collected = await opened.result;
    this.lastUsed = Date.now();
    return collected;
  }

  /**
   * Starts `command` on a new channel and resolves with what `attach` makes of it, for a
   * caller that talks to the remote process for a long time (the session agent). `attach`
   * runs synchronously when the channel opens: ssh2 may emit the channel's events (even
   * `exit` and `close`) right after, before any promise continuation could listen. It also
   * gets the connection's liveness: once the server hung up, channel writes vanish silently.
   * Rejects with ChannelOpenError when the channel cannot be opened, or, when the connection
   * died after the request went out, with ExecOutcomeUnknown (exec reports that as a lost
   * connection).
   */
  openChannel<T>(command: string, attach: (channel: ClientChannel, connectionAlive: () => boolean) => T): Promise<T> {
    this.lastUsed = Date.now();
    return new Promise<T>((resolve, reject) => {
      try {
        // ssh2 throws synchronously ("Not connected") once the server has ended the
        // connection but before the socket's close event has reached us.
        this.client.exec(command, (error, channel) => {
          if (error) {
            if (error.message !== EXEC_SENT) {
              reject(new ChannelOpenError(this.alive, { cause: error }));
              return;
            }
            // The request was sent. A live server refused it (it never started); a connection
            // that died meanwhile (its close lands within this turn) leaves it unknown.
            setImmediate(() => reject(this.alive ? new ChannelOpenError(true, { cause: error }) : new ExecOutcomeUnknown(error.message, { cause: error })));
            return;
          }
          try {
            resolve(attach(channel, () => this.alive));
          } catch (attachError) {
            channel.close(); // Thrown from here it would land inside ssh2.
            reject(attachError);
          }
        });
      } catch (error) {
        this.closed = true;
        reject(new ChannelOpenError(false, { cause: error }));
      }
    });
  }

  close(): void {
    this.closed = true;
    this.client.end();
  }
}

function collect(channel: ClientChannel, request: ChannelRequest, started: number, connectionAlive: () => boolean): Promise<ChannelResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stdoutOverflow = false;
    let stderr = Buffer.alloc(0);
    let exitCode: number | undefined;
    let exitSignal: string | undefined;
    let timedOut = false;
    let cancelled = false;

    const stop = (): void => {
      try {
        channel.signal("KILL");
      } catch {
        // The channel may already be half-closed; closing it below is what matters.
      }
      channel.close();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, request.deadlineMs);
    const onAbort = (): void => {
      cancelled = true;
      stop();
    };
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener("abort", onAbort, { once: true });

    channel.on("data", (chunk: Buffer) => {
      if (request.stdout) {
        if (!request.stdout.write(chunk)) {
          channel.pause();
          request.stdout.once("drain", () => channel.resume());
        }
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > request.maxStdoutBytes) {
        if (!stdoutOverflow) {
          stdoutOverflow = true;
          stop();
        }
        return;
      }
      stdout.push(chunk);
    });
    channel.stderr.on("data", (chunk: Buffer) => {
      stderr = Buffer.concat([stderr, chunk]);
      // Keep the tail: the last lines say why a command failed.
      if (stderr.length > request.maxStderrBytes) stderr = stderr.subarray(stderr.length - request.maxStderrBytes);
    });
    channel.on("exit", (code: number | null, signalName?: string) => {
      if (typeof code === "number") exitCode = code;
      else if (signalName) exitSignal = signalName.startsWith("SIG") ? signalName : `SIG${signalName}`;
    });
    channel.on("close", () => {
      clearTimeout(timer);
      request.signal?.removeEventListener("abort", onAbort);
      if (request.stdout && request.stdout !== process.stdout && request.stdout !== process.stderr) {
        request.stdout.end();
      }
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: stderr.toString("utf8"),
        durationMs: Date.now() - started,
        timedOut,
        cancelled,
        stdoutOverflow,
        connectionLost: exitCode === undefined && exitSignal === undefined && !timedOut && !cancelled && !connectionAlive(),
      });
    });

    const input = request.stdin;
    if (input === undefined) channel.end();
    else if (typeof input === "string" || Buffer.isBuffer(input)) channel.end(input);
    else {
      input.on("error", () => channel.close());
      input.pipe(channel);
    }
  });
}

function authMethods(target: SshTarget): string[] {
  const methods: string[] = [];
  if (target.privateKey || target.privateKeyPath) methods.push("publickey");
  if (target.agent) methods.push("agent");
  if (target.password !== undefined) methods.push("password");
  return methods;
}

/** The host's own keepalive settings, else the pool's. */
function keepaliveOf(target: SshTarget, options: ConnectionOptions): { intervalMs: number; countMax: number } {
  return {
    intervalMs: target.keepaliveIntervalMs ?? options.keepaliveIntervalMs,
    countMax: target.keepaliveCountMax ?? options.keepaliveCountMax,
  };
}

async function buildConnectConfig(target: SshTarget, options: ConnectionOptions): Promise<ConnectConfig> {
  const keepalive = keepaliveOf(target, options);
  const config: ConnectConfig = {
    host: target.address,
    port: target.port,
    username: target.user,
    readyTimeout: target.connectTimeoutMs,
    keepaliveInterval: keepalive.intervalMs,
    keepaliveCountMax: keepalive.countMax,
    tryKeyboard: false,
  };
  if (target.privateKey) {
    config.privateKey = target.privateKey;
  } else if (target.privateKeyPath) {
    try {
      config.privateKey = await readFile(target.privateKeyPath);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : "cannot be read";
      throw new SshConfigError(`private key file ${target.privateKeyPath} ${reason}`, undefined, { cause: error });
    }
    registerSecret(config.privateKey);
  }
  if (target.passphrase !== undefined) config.passphrase = target.passphrase;
  if (target.password !== undefined) config.password = target.password;
  if (target.agent) {
    const socket = target.agent === true ? process.env.SSH_AUTH_SOCK : target.agent;
    if (!socket) throw new SshConfigError("agent authentication was requested but SSH_AUTH_SOCK is not set");
    config.agent = socket;
  }
  return config;
}

function describeSocketError(error: Error & { code?: string }): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused (is sshd running and the port right?)";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "the host name does not resolve";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "the host is unreachable";
    case "ETIMEDOUT":
      return "the connection timed out";
    case "ECONNRESET":
      return "the connection was reset";
    default:
      return error.message;
  }
}
