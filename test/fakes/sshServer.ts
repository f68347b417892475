/**
 * An in-process SSH server for unit tests of drivers/ssh: ssh2's `Server` on 127.0.0.1 with a
 * fresh ed25519 host key, publickey auth for a fresh client key and optional password auth, and
 * a scripted `exec` handler. It records what the client did and can misbehave on purpose
 * (refuse sessions like OpenSSH `MaxSessions`, drop every connection, close without a status).
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { Server, utils, type Connection, type ServerChannel } from "ssh2";
import { parseSshTarget, type SshTarget, type SshTargetInput } from "../../drivers/ssh/target";

/** Decides what one `exec` request does. It owns `channel` and must end it sooner or later. */
export type ExecHandler = (command: string, channel: ServerChannel) => void;

export interface FakeSshServerOptions {
  /** The user every login must name. Default `root`. */
  user?: string;
  /** Accept password authentication with this password. Default: publickey only. */
  password?: string;
  /** Session channels one connection may hold open, like OpenSSH `MaxSessions`. Default 10. */
  maxSessions?: number;
  /** Default: `reply(channel, { stdout: command })` (echoes the command line). */
  onExec?: ExecHandler;
}

export interface FakeSshStats {
  /** Every exec command line received, in order. */
  commands: string[];
  /** TCP connections accepted. */
  connections: number;
  /** Most connections open at the same time. */
  maxOpenConnections: number;
  /** Most session channels open at the same time on one connection. */
  maxSessionsPerConnection: number;
  /** Session opens refused because of `maxSessions`. */
  refusedSessions: number;
  /** Connections open right now. */
  openConnections: number;
}

export interface FakeSshServer {
  port: number;
  /** `ssh-ed25519 AAAA...`, as `ssh-keyscan` would print it. */
  hostKeyLine: string;
  /** OpenSSH private key text the server accepts for `user`. */
  clientPrivateKey: string;
  stats: FakeSshStats;
  /** Replaceable between tests. */
  onExec: ExecHandler;
  /**
   * Drops every client connection at once, like a host-side `kill` of sshd's children: with a
   * FIN (`end`, the default) or with a TCP reset (`reset`).
   */
  dropConnections(how?: "end" | "reset"): void;
  /** Stops reading from every client, like a host whose machine stopped: keepalives go unanswered. */
  hang(): void;
  close(): Promise<void>;
}

/**
 * A fresh key pair in OpenSSH format. ssh2 1.17's keygen strips leading zero bytes from an
 * ed25519 public key, so about 1 pair in 256 cannot be parsed back (mscdex/ssh2#1390); retry.
 */
export function generateSshKeyPair(type: "ed25519" | "ecdsa" | "rsa" = "ed25519"): { private: string; public: string } {
  for (;;) {
    const pair = type === "ed25519" ? utils.generateKeyPairSync("ed25519") : utils.generateKeyPairSync(type, { bits: type === "rsa" ? 2048 : 256 });
    if (!(utils.parseKey(pair.private) instanceof Error) && !(utils.parseKey(pair.public) instanceof Error)) return pair;
  }
}

/** Ends an exec channel the way a finished command does (output, then exit status). */
export function reply(channel: ServerChannel, result: { stdout?: string | Buffer; stderr?: string; code?: number }): void {
  if (result.stdout !== undefined) channel.write(result.stdout);
  if (result.stderr !== undefined) channel.stderr.write(result.stderr);
  channel.exit(result.code ?? 0);
  channel.end();
}

/** Closes an exec channel without ever sending an exit status. */
export function closeWithoutStatus(channel: ServerChannel): void {
  channel.close();
}

/** Resolves once `predicate` holds, polling; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function startFakeSshServer(options: FakeSshServerOptions = {}): Promise<FakeSshServer> {
  const user = options.user ?? "root";
  const maxSessions = options.maxSessions ?? 10;
  const hostKey = generateSshKeyPair();
  const clientKey = generateSshKeyPair();
  const clientPublic = utils.parseKey(clientKey.public);
  if (clientPublic instanceof Error) throw clientPublic;
  const stats: FakeSshStats = {
    commands: [],
    connections: 0,
    maxOpenConnections: 0,
    maxSessionsPerConnection: 0,
    refusedSessions: 0,
    openConnections: 0,
  };
  const sockets = new Set<Socket>();

  const ssh = new Server({ hostKeys: [hostKey.private] }, (connection: Connection) => {
    let openSessions = 0;
    connection.on("error", () => undefined); // Dropped or reset clients are expected here.
    connection.on("authentication", (ctx) => {
      const okUser = ctx.username === user;
      if (okUser && ctx.method === "password" && options.password !== undefined && ctx.password === options.password) {
        return ctx.accept();
      }
      if (okUser && ctx.method === "publickey" && ctx.key.algo === clientPublic.type && ctx.key.data.equals(clientPublic.getPublicSSH())) {
        // Without a signature the client only asks whether the key would do.
        if (!ctx.signature || (ctx.blob && clientPublic.verify(ctx.blob, ctx.signature, ctx.hashAlgo))) return ctx.accept();
      }
      ctx.reject(options.password === undefined ? ["publickey"] : ["publickey", "password"]);
    });
    connection.on("session", (accept, reject) => {
      if (openSessions >= maxSessions) {
        stats.refusedSessions++;
        return reject();
      }
      openSessions++;
      stats.maxSessionsPerConnection = Math.max(stats.maxSessionsPerConnection, openSessions);
      const session = accept();
      session.once("close", () => openSessions--);
      session.on("exec", (acceptExec, _rejectExec, info) => {
        stats.commands.push(info.command);
        const channel = acceptExec();
        channel.on("error", () => undefined);
        server.onExec(info.command, channel);
      });
    });
  });

  // Own the TCP listener so that every socket can be destroyed on demand.
  const listener = createServer((socket) => {
    sockets.add(socket);
    stats.connections++;
    stats.openConnections = sockets.size;
    stats.maxOpenConnections = Math.max(stats.maxOpenConnections, sockets.size);
    socket.once("close", () => {
      sockets.delete(socket);
      stats.openConnections = sockets.size;
    });
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));

  const dropConnections = (how: "end" | "reset" = "end"): void => {
    for (const socket of sockets) {
      if (how === "reset") socket.resetAndDestroy();
      else socket.end();
    }
  };
  const server: FakeSshServer = {
    port: (listener.address() as AddressInfo).port,
    hostKeyLine: hostKey.public,
    clientPrivateKey: clientKey.private,
    stats,
    onExec: options.onExec ?? ((command, channel) => reply(channel, { stdout: command })),
    dropConnections,
    hang: () => {
      for (const socket of sockets) socket.pause();
    },
    close: async () => {
      dropConnections("reset");
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
  return server;
}

/** A validated target for `server`, authenticating with its client key unless overridden. */
export function targetFor(server: FakeSshServer, overrides: Partial<SshTargetInput> = {}): SshTarget {
  return parseSshTarget({
    address: "127.0.0.1",
    port: server.port,
    hostKey: server.hostKeyLine,
    privateKey: server.clientPrivateKey,
    connectTimeoutMs: 5_000,
    ...overrides,
  });
}
