import { SshConnectError } from "./errors";
import type { ClientChannel } from "ssh2";
import { ChannelOpenError, SshConnection, type ChannelRequest, type ChannelResult } from "./connection";
import { loadHostKeyPolicy, type HostKeyPolicy } from "./hostKey";
import { describeTarget, type SshTarget } from "./target";

export interface PoolOptions {
  /**
   * Channels per connection. OpenSSH refuses the 11th session on one connection
   * (`MaxSessions`, default 10), so stay below it rather than rely on the refusal.
   */
  maxChannelsPerConnection: number;
  /** Connections per host when busy; kept small so as not to trip sshd's `MaxStartups`. */
  maxConnectionsPerHost: number;
  /** Idle connections are closed after this long. */
  idleTimeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

export const defaultPoolOptions: PoolOptions = {
  maxChannelsPerConnection: 8,
  maxConnectionsPerHost: 4,
  idleTimeoutMs: 60_000,
  keepaliveIntervalMs: 10_000,
  keepaliveCountMax: 3,
};

/** A command whose channel cannot be opened is retried this often (the command never started). */
const CHANNEL_OPEN_ATTEMPTS = 10;
/** After a failed connect, wait this long before opening another connection for spare capacity. */
const RECONNECT_BACKOFF_MS = 1_000;

interface Waiter {
  resolve(connection: SshConnection): void;
  reject(error: unknown): void;
}

/** The connections to one host: a queue of commands in front of a bounded set of channels. */
export class HostConnections {
  private readonly connections: SshConnection[] = [];
  private readonly waiters: Waiter[] = [];
  private opening = 0;
  private lastConnectFailure = 0;
  /** Why the connection discarded last had ended, where it ended on its own. */
  private lastLoss: string | undefined;
  private policy: Promise<HostKeyPolicy> | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly target: SshTarget,
    private readonly options: PoolOptions,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(1_000, options.idleTimeoutMs / 4));
    this.sweeper.unref();
  }

  get destination(): string {
    return describeTarget(this.target);
  }

  /** Why the latest connection to end under its commands ended, where known (a host that stopped answering). */
  get lostBecause(): string | undefined {
    // A dead connection not yet discarded is the latest; its reason, even none, wins over an older one.
    const dead = this.connections.find((connection) => !connection.alive);
    return dead ? dead.lostBecause : this.lastLoss;
  }

  /** Runs one command, queueing while every channel is busy. */
  exec(request: ChannelRequest): Promise<ChannelResult> {
    return this.onChannel((connection) => connection.exec(request));
  }

  /**
   * Opens a long-lived channel running `command` (the session agent). It holds one of the
   * connection's channel slots until it closes. `attach` runs synchronously when the channel
   * opens (see SshConnection.openChannel).
   */
  openChannel<T>(command: string, attach: (channel: ClientChannel, connectionAlive: () => boolean) => T): Promise<T> {
    return this.onChannel(
      (connection) =>
        connection.openChannel(command, (channel, connectionAlive) => {
          const attached = attach(channel, connectionAlive); // Should it throw, the channel never held the slot.
          channel.once("close", () => this.release(connection));
          return attached;
        }),
      { holdsSlot: true },
    );
  }

  /**
   * Takes a channel slot and runs `use` on its connection, queueing while every slot is busy.
   * A channel the server refuses is retried elsewhere: its command never started. The slot is
   * freed when `use` settles, or, with `holdsSlot`, by `use` itself once it succeeded.
   */
  private async onChannel<T>(use: (connection: SshConnection) => Promise<T>, options: { holdsSlot?: boolean } = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.acquire();
      let handedOver = false;
      try {
        const result = await use(connection);
        handedOver = options.holdsSlot === true;
        return result;
      } catch (error) {
        // The command never started, so it may safely run on another channel or connection.
        if (!(error instanceof ChannelOpenError)) throw error;
        if (attempt >= CHANNEL_OPEN_ATTEMPTS) {
          throw new SshConnectError(this.destination, `the server refused to open a session: ${error.message}`, { cause: error });
        }
        if (!error.connectionAlive) this.discard(connection);
        else connection.channelLimit = Math.max(1, connection.activeChannels - 1);
      } finally {
        if (!handedOver) this.release(connection);
      }
      // Only a refused channel gets here (everything else returned or threw): wait, then retry.
      await delay(50 * attempt);
    }
  }

  /** Closes every connection; queued commands fail. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const connection of this.connections.splice(0)) connection.close();
    for (const waiter of this.waiters.splice(0)) {
      waiter.reject(new SshConnectError(this.destination, "the connection pool was closed"));
    }
  }

  /** Number of open connections (for tests and diagnostics). */
  get size(): number {
    return this.connections.filter((connection) => connection.alive).length;
  }

  private acquire(): Promise<SshConnection> {
    if (this.closed) return Promise.reject(new SshConnectError(this.destination, "the connection pool was closed"));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
  }

  private release(connection: SshConnection): void {
    connection.activeChannels--;
    connection.lastUsed = Date.now();
    this.pump();
  }

  private discard(connection: SshConnection): void {
    if (!connection.alive) this.lastLoss = connection.lostBecause;
    connection.close();
    const index = this.connections.indexOf(connection);
    if (index >= 0) this.connections.splice(index, 1);
  }

  private pump(): void {
    for (const connection of this.connections.filter((candidate) => !candidate.alive)) this.discard(connection);
    while (this.waiters.length > 0) {
      const free = this.connections
        .filter((connection) => connection.activeChannels < Math.min(this.options.maxChannelsPerConnection, connection.channelLimit))
        .sort((a, b) => a.activeChannels - b.activeChannels)[0];
      if (!free) break;
      free.activeChannels++;
      this.waiters.shift()?.resolve(free);
    }
    const unserved = this.waiters.length - this.opening * this.options.maxChannelsPerConnection;
    const roomForMore = this.connections.length + this.opening < this.options.maxConnectionsPerHost;
    const backingOff = this.connections.length > 0 && Date.now() - this.lastConnectFailure < RECONNECT_BACKOFF_MS;
    if (unserved > 0 && roomForMore && !backingOff) this.openOne();
  }

  private openOne(): void {
    this.opening++;
    this.policy ??= loadHostKeyPolicy({
      hostKey: this.target.hostKey,
      knownHostsPath: this.target.knownHostsPath,
      address: this.target.address,
      port: this.target.port,
    });
    this.policy
      .then((policy) =>
        SshConnection.open(this.target, policy, {
          keepaliveIntervalMs: this.options.keepaliveIntervalMs,
          keepaliveCountMax: this.options.keepaliveCountMax,
        }),
      )
      .then(
        (connection) => {
          this.opening--;
          if (this.closed) {
            connection.close();
            return;
          }
          this.connections.push(connection);
          this.pump();
        },
        (error: unknown) => {
          this.opening--;
          this.policy = undefined; // Re-read a known_hosts file that may have been fixed.
          this.lastConnectFailure = Date.now();
          if (this.connections.length === 0 && this.opening === 0) {
            for (const waiter of this.waiters.splice(0)) waiter.reject(error);
          } else {
            this.pump();
          }
        },
      );
  }

  private closeIdle(): void {
    const now = Date.now();
    for (const connection of [...this.connections]) {
      if (connection.activeChannels === 0 && now - connection.lastUsed > this.options.idleTimeoutMs) {
        this.discard(connection);
      }
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
