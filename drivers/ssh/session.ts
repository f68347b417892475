import type { ClientChannel } from "ssh2";
import {
  AGENT_PROTOCOL_VERSION,
  AgentProtocolError,
  FrameDecoder,
  LVM_SHELL_CAPABILITY,
  encodeCancel,
  encodeLvm,
  encodeRun,
  type AgentFrame,
} from "./agentProtocol";
import type { ChannelResult } from "./connection";
import { fitsLvmShell } from "./lvmShell";

/** One command for the session agent. */
export interface SessionCommand {
  /** The command (no shell parses it); as is in the lvm shell, which runs it as the shell's user. */
  argv: readonly string[];
  /** What the agent executes instead when not in the lvm shell: `argv` in its sudo form on a sudo host. Default `argv`. */
  runArgv?: readonly string[] | undefined;
  stdin?: Buffer | string | undefined;
  /** The agent stops the command's process group at this deadline. */
  timeoutMs: number;
  maxStdoutBytes: number;
  maxStderrBytes: number;
  /** Client-side deadline, for an agent that stopped answering: the session is closed. */
  deadlineMs: number;
  signal?: AbortSignal | undefined;
  /**
   * An LVM read that may run in the agent's lvm shell: it does when the agent has one, there
   * is no stdin and every word is safe for the shell's line (see lvmShell.ts).
   */
  lvmShell?: boolean | undefined;
}

export interface SessionResult extends ChannelResult {
  /** The command ran in the agent's lvm shell, not as its own process. */
  lvmShell: boolean;
}

/** The session had ended before the command could be sent: it never started. */
export class SessionClosedError extends Error {
  constructor() {
    super("the session had already ended");
  }
}

/** The agent could not be started. `lost`: the channel died without a word (retry later). */
export class AgentStartError extends Error {
  constructor(
    message: string,
    readonly lost: boolean,
  ) {
    super(message);
  }
}

interface Running {
  finishExit(frame: Extract<AgentFrame, { kind: "exit" }>): void;
  output(stream: "stdout" | "stderr", data: Buffer): void;
  /** The session ended before the command's EXIT frame. */
  abandon(): void;
}

/** Channel stderr kept for explaining a failed start or a broken session. */
const MAX_AGENT_STDERR = 4 * 1024;
/** Of which this much goes into the reason logged. */
const MAX_REASON = 400;

/**
 * One session agent (agent.pl) on one channel: many commands at once, each with its own id,
 * its output streamed back in frames. Made by `attach`; usable once the agent said READY.
 */
export class HostSession {
  private readonly decoder = new FrameDecoder();
  private readonly running = new Map<number, Running>();
  private nextId = 1;
  private ready = false;
  private closed = false;
  private exitStatus: string | undefined;
  private agentStderr = "";
  private readonly closeListeners: Array<() => void> = [];
  private capabilities: ReadonlySet<string> = new Set();
  private readyWaiter: { resolve(): void; reject(error: AgentStartError): void } | undefined;
  /** Commands admitted by the session manager, counted by it. */
  reserved = 0;
  /** Why the session ended, once it has. */
  closeReason: string | undefined;

  private constructor(
    private readonly channel: ClientChannel,
    private readonly connectionAlive: () => boolean,
  ) {
    channel.on("data", (chunk: Buffer) => this.onData(chunk));
    channel.stderr.on("data", (chunk: Buffer) => {
      this.agentStderr = (this.agentStderr + chunk.toString("utf8")).slice(-MAX_AGENT_STDERR);
    });
    channel.on("exit", (code: number | null, signalName?: string) => {
      this.exitStatus = typeof code === "number" ? `exit code ${code}` : `signal ${signalName ?? "unknown"}`;
    });
    channel.on("error", () => undefined); // A broken channel shows up as its close.
    channel.on("close", () => this.shutDown(this.describeEnd()));
  }

  /**
   * Wraps a freshly opened agent channel; must run synchronously in the channel's open
   * callback (see SshConnection.openChannel). `ready` resolves on the agent's READY.
   */
  static attach(channel: ClientChannel, connectionAlive: () => boolean, startupTimeoutMs: number): { session: HostSession; ready: Promise<void> } {
    const session = new HostSession(channel, connectionAlive);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new AgentStartError(`the agent did not say READY within ${startupTimeoutMs / 1000} s`, false));
        session.close("start-up timed out");
      }, startupTimeoutMs);
      session.readyWaiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
    });
    // Awaited by the caller; this only keeps a failure that comes first from counting as unhandled.
    ready.catch(() => undefined);
    return { session, ready };
  }

  get alive(): boolean {
    return this.ready && !this.closed;
  }

  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.push(listener);
  }

  /**
   * Runs one command. Throws SessionClosedError when the session had ended before the request
   * could be written (the command never started). Otherwise always resolves: a session that
   * dies under the command resolves it with `connectionLost`, since whether it ran is unknown.
   */
  run(command: SessionCommand): Promise<SessionResult> {
    const started = Date.now();
    const id = this.nextId++;
    const stdin = toBuffer(command.stdin);
    const lvmShell = command.lvmShell === true && stdin.length === 0 && this.capabilities.has(LVM_SHELL_CAPABILITY) && fitsLvmShell(command.argv);
    const request = lvmShell ? encodeLvm(id, command.timeoutMs, command.argv) : encodeRun(id, command.timeoutMs, command.runArgv ?? command.argv, stdin);
    if (this.alive && !this.connectionAlive()) {
      // The server hung up and ssh2 has not closed the channel yet: a write would vanish.
      this.close("the connection ended");
    }
    if (!this.alive) throw new SessionClosedError();
    try {
      this.channel.write(request);
    } catch {
      this.close("the channel could not be written to");
      throw new SessionClosedError();
    }
    return new Promise<SessionResult>((resolve) => {
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stdoutOverflow = false;
      let stderr = Buffer.alloc(0);
      let cancelled = false;
      let clientTimedOut = false;
      let cancelSent = false;

      const cancel = (): void => {
        if (cancelSent || this.closed) return;
        cancelSent = true;
        try {
          this.channel.write(encodeCancel(id));
        } catch {
          this.close("the channel could not be written to");
        }
      };
      const onAbort = (): void => {
        cancelled = true;
        cancel();
      };
      const guard = setTimeout(() => {
        clientTimedOut = true;
        this.close(`a command outlived its deadline by ${Math.round((command.deadlineMs - command.timeoutMs) / 1000)} s: the agent does not answer`);
      }, command.deadlineMs);
      const finish = (status: { exitCode?: number; signal?: string; timedOut?: boolean; lost?: boolean }): void => {
        clearTimeout(guard);
        command.signal?.removeEventListener("abort", onAbort);
        this.running.delete(id);
        const timedOut = status.timedOut === true || clientTimedOut;
        resolve({
          exitCode: status.exitCode,
          signal: status.signal,
          stdout: Buffer.concat(stdout).toString("utf8"),
          stderr: stderr.toString("utf8"),
          durationMs: Date.now() - started,
          timedOut,
          cancelled,
          stdoutOverflow,
          connectionLost: status.lost === true && !timedOut && !cancelled,
          lvmShell,
        });
      };

      this.running.set(id, {
        output: (stream, data) => {
          if (stream === "stderr") {
            stderr = Buffer.concat([stderr, data]);
            // Keep the tail: the last lines say why a command failed.
            if (stderr.length > command.maxStderrBytes) stderr = stderr.subarray(stderr.length - command.maxStderrBytes);
            return;
          }
          if (stdoutOverflow) return;
          stdoutBytes += data.length;
          if (stdoutBytes > command.maxStdoutBytes) {
            stdoutOverflow = true;
            cancel();
            return;
          }
          stdout.push(data);
        },
        finishExit: (frame) => finish({ exitCode: frame.code, signal: frame.signal, timedOut: frame.timedOut }),
        abandon: () => finish({ lost: true }),
      });
      if (command.signal?.aborted) onAbort();
      else command.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Ends the session: the agent sees its stdin close and stops everything it runs. */
  close(reason = "closed by the client"): void {
    if (this.closed) return;
    try {
      this.channel.end();
      this.channel.close();
    } catch {
      // The connection is already gone, and the channel with it.
    }
    this.shutDown(reason);
  }

  private onData(chunk: Buffer): void {
    let frames: AgentFrame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      const message = error instanceof AgentProtocolError ? error.message : String(error);
      if (!this.ready) this.readyWaiter?.reject(new AgentStartError(message, false));
      this.close(message);
      return;
    }
    for (const frame of frames) {
      switch (frame.kind) {
        case "ready":
          if (frame.version !== AGENT_PROTOCOL_VERSION) {
            this.readyWaiter?.reject(new AgentStartError(`the agent speaks protocol ${frame.version}, not ${AGENT_PROTOCOL_VERSION}`, false));
            this.close("protocol version mismatch");
            return;
          }
          this.ready = true;
          this.capabilities = new Set(frame.capabilities);
          this.readyWaiter?.resolve();
          break;
        case "stdout":
        case "stderr":
          this.running.get(frame.id)?.output(frame.kind, frame.data);
          break;
        case "exit":
          this.running.get(frame.id)?.finishExit(frame);
          break;
      }
    }
  }

  /** The exit status and the last words on stdout (before READY) and stderr. */
  private describeEnd(): string {
    const said = [...this.decoder.preamble, this.agentStderr.trim()].filter(Boolean).join("\n").trim();
    const status = this.exitStatus ?? "no exit status";
    const tail = said.length > MAX_REASON ? `...${said.slice(-MAX_REASON)}` : said;
    return tail ? `${status}: ${tail}` : status;
  }

  private shutDown(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    if (!this.ready) {
      // With an exit status the agent (or sudo, or the shell) refused; without one the channel
      // or connection died first, which says nothing about the host.
      this.readyWaiter?.reject(new AgentStartError(`the agent did not start (${reason})`, this.exitStatus === undefined));
    }
    for (const command of [...this.running.values()]) command.abandon();
    for (const listener of this.closeListeners.splice(0)) listener();
  }
}

function toBuffer(stdin: Buffer | string | undefined): Buffer {
  if (stdin === undefined) return Buffer.alloc(0);
  return typeof stdin === "string" ? Buffer.from(stdin, "utf8") : stdin;
}
