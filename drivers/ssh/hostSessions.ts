import type { Logger } from "../log";
import { agentCommand } from "./agent";
import type { HostConnections } from "./pool";
import { redact } from "./redact";
import { AgentStartError, HostSession, SessionClosedError, type SessionCommand, type SessionResult } from "./session";

export interface HostSessionOptions {
  /** Commands one session runs at once; more wait for a free place. */
  maxCommandsPerSession: number;
  /** A session without commands for this long is closed (its connection may then idle out). */
  idleTimeoutMs: number;
  /** How long the agent may take to say READY. */
  startupTimeoutMs: number;
}

/** Sessions found dead when a command was about to go out, before it takes its own channel. */
const SEND_ATTEMPTS = 3;

interface Waiter {
  resolve(session: HostSession | undefined): void;
  reject(error: unknown): void;
  onOpened: (() => void) | undefined;
}

/**
 * The session of one host target, shared by all of its runners: opened on first use, opened
 * again after it was lost, closed when idle. A host where the agent cannot start (no perl,
 * sudo refuses it) runs each command on its own channel from then on, said once at info level.
 */
export class HostSessions {
  private session: HostSession | undefined;
  private opening = false;
  private unavailable: string | undefined;
  private readonly waiters: Waiter[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connections: HostConnections,
    private readonly logger: Logger,
    private readonly options: HostSessionOptions,
  ) {}

  /**
   * Runs `command` in the host's session. Undefined means the host has no session for it: the
   * caller runs the command on its own channel. `onOpened` is called when this command's wait
   * opened a new session.
   */
  async run(command: SessionCommand, onOpened?: () => void): Promise<SessionResult | undefined> {
    for (let attempt = 1; attempt <= SEND_ATTEMPTS; attempt++) {
      const session = await this.acquire(onOpened);
      if (!session) return undefined;
      try {
        return await session.run(command);
      } catch (error) {
        // Ended before the command went out (a connection that just died): safe to resend.
        if (!(error instanceof SessionClosedError)) throw error;
      } finally {
        session.reserved--;
        this.pump();
      }
    }
    return undefined;
  }

  /** Closes the session; waiting commands go to their own channels (which then fail as the pool is closed). */
  close(): void {
    this.closed = true;
    clearTimeout(this.idleTimer);
    this.session?.close("the pool was closed");
    this.session = undefined;
    for (const waiter of this.waiters.splice(0)) waiter.resolve(undefined);
  }

  private acquire(onOpened: (() => void) | undefined): Promise<HostSession | undefined> {
    if (this.unavailable !== undefined || this.closed) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, onOpened });
      this.pump();
    });
  }

  private pump(): void {
    const session = this.session?.alive ? this.session : undefined;
    while (this.waiters.length > 0) {
      if (this.unavailable !== undefined || this.closed) {
        for (const waiter of this.waiters.splice(0)) waiter.resolve(undefined);
        break;
      }
      if (!session) {
        if (!this.opening) this.open();
        break;
      }
      if (session.reserved >= this.options.maxCommandsPerSession) break;
      session.reserved++;
      this.waiters.shift()?.resolve(session);
    }
    this.watchIdle(session);
  }

  private watchIdle(session: HostSession | undefined): void {
    const idle = session !== undefined && session.reserved === 0 && this.waiters.length === 0;
    if (!idle) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    } else if (!this.idleTimer) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = undefined;
        if (session.reserved === 0 && this.waiters.length === 0) session.close("idle");
      }, this.options.idleTimeoutMs);
      this.idleTimer.unref();
    }
  }

  private open(): void {
    this.opening = true;
    const opener = this.waiters[0]?.onOpened;
    this.startSession().then(
      (session) => {
        this.opening = false;
        if (this.closed) {
          session.close("the pool was closed");
          return;
        }
        this.session = session;
        session.onClose(() => {
          if (this.session === session) this.session = undefined;
          this.logger.debug(`${this.connections.destination}: session ended: ${redact(session.closeReason ?? "")}`);
          this.pump();
        });
        opener?.();
        this.pump();
      },
      (error: unknown) => {
        this.opening = false;
        const waiters = this.waiters.splice(0);
        if (error instanceof AgentStartError && !error.lost) {
          this.unavailable = error.message;
          this.logger.info(`${this.connections.destination}: running each command on its own SSH channel: ${redact(error.message)}`);
          for (const waiter of waiters) waiter.resolve(undefined);
        } else if (error instanceof AgentStartError) {
          // The channel died before the agent could say anything: these commands take their own
          // channels (which reconnect as needed) and a later command tries a session again.
          for (const waiter of waiters) waiter.resolve(undefined);
        } else {
          // Cannot connect at all: the same error a command on its own channel would get.
          for (const waiter of waiters) waiter.reject(error);
        }
        this.pump();
      },
    );
  }

  private async startSession(): Promise<HostSession> {
    let command: string;
    try {
      command = agentCommand(this.connections.target.sudo);
    } catch (error) {
      throw new AgentStartError(`the agent's source cannot be read: ${(error as Error).message}`, false);
    }
    const { session, ready } = await this.connections.openChannel(command, (channel, connectionAlive) =>
      HostSession.attach(channel, connectionAlive, this.options.startupTimeoutMs),
    );
    await ready;
    return session;
  }
}
