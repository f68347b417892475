import { Client } from "ssh2";
import { SshConnectionLostError } from "../../../../drivers/ssh/errors";
import { SshPool, type CommandRunner } from "../../../../drivers/ssh/exec";
import { HostConnections, defaultPoolOptions, type PoolOptions } from "../../../../drivers/ssh/pool";
import { reply, startFakeSshServer, targetFor, waitFor, type FakeSshServer, type FakeSshServerOptions } from "../../../fakes/sshServer";

let server: FakeSshServer | undefined;
let pool: SshPool | undefined;
let hosts: HostConnections | undefined;

afterEach(async () => {
  pool?.close();
  hosts?.close();
  await server?.close();
  server = pool = hosts = undefined;
});

/** A fresh server whose commands answer "ok" after `delayMs`, and a pool for it. */
async function setUp(delayMs: number, serverOptions: FakeSshServerOptions = {}, poolOptions: Partial<PoolOptions> = {}) {
  const fake = await startFakeSshServer(serverOptions);
  fake.onExec = (_command, channel) => setTimeout(() => reply(channel, { stdout: "ok" }), delayMs);
  // Channel pooling under scripted exec replies: commands on their own channels, no session agent.
  const sshPool = new SshPool({ sessions: false, ...poolOptions });
  server = fake;
  pool = sshPool;
  return { server: fake, pool: sshPool, runner: sshPool.runner("store-1", targetFor(fake)) };
}

/** Starts `count` commands at once; resolves with their stdouts. */
function runMany(runner: CommandRunner, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => runner.run(["echo", String(i)]).then((result) => result.stdout)));
}

describe("SshPool", () => {
  it("runs 50 concurrent commands within the default limits of 8 channels and 4 connections", async () => {
    const { server, runner } = await setUp(30);
    await expect(runMany(runner, 50)).resolves.toEqual(Array(50).fill("ok"));
    expect(server.stats.commands).toHaveLength(50);
    expect(server.stats.maxSessionsPerConnection).toBeLessThanOrEqual(defaultPoolOptions.maxChannelsPerConnection);
    expect(server.stats.connections).toBeLessThanOrEqual(defaultPoolOptions.maxConnectionsPerHost);
    expect(server.stats.maxOpenConnections).toBeLessThanOrEqual(defaultPoolOptions.maxConnectionsPerHost);
  });

  it("runs every command when the server allows fewer sessions per connection than the pool uses", async () => {
    // Slow commands: the pool must learn the server's lower limit rather than retry blindly.
    const { server, runner } = await setUp(300, { maxSessions: 3 });
    await expect(runMany(runner, 50)).resolves.toEqual(Array(50).fill("ok"));
    expect(server.stats.refusedSessions).toBeGreaterThan(0); // The retry path was exercised.
    expect(server.stats.maxSessionsPerConnection).toBeLessThanOrEqual(3);
  });

  it("starts another command on a connection that has fewer than maxChannelsPerConnection running", async () => {
    const held: Array<() => void> = [];
    const { server, runner } = await setUp(0, {}, { maxConnectionsPerHost: 1, maxChannelsPerConnection: 8 });
    server.onExec = (_command, channel) => held.push(() => reply(channel, {}));
    const first = runMany(runner, 4);
    await waitFor(() => server.stats.commands.length === 4);
    const fifth = runner.run(["echo", "5"]);
    try {
      await waitFor(() => server.stats.commands.length === 5, 1_000);
    } finally {
      // Let every held command (including any that start late) finish before the pool closes.
      const releaser = setInterval(() => held.splice(0).forEach((release) => release()), 10);
      await Promise.allSettled([first, fifth]);
      clearInterval(releaser);
    }
  });

  it.each(["end", "reset"] as const)("runs the next command on a new connection after the server dropped every connection (%s)", async (how) => {
    const { server, pool, runner } = await setUp(0);
    await runner.run(["true"]);
    server.dropConnections(how);
    await expect(runner.run(["true"])).resolves.toMatchObject({ exitCode: 0 });
    expect(server.stats.connections).toBe(2);
    expect(pool.connectionCount).toBe(1);
  });

  it("runs a command issued after the server hung up but before the client saw the socket close", async () => {
    const { server, runner } = await setUp(0);
    const connect = jest.spyOn(Client.prototype, "connect");
    try {
      await runner.run(["true"]);
      const client = connect.mock.contexts[0] as Client;
      const next = new Promise((resolve, reject) => client.once("end", () => runner.run(["true"]).then(resolve, reject)));
      server.dropConnections();
      await expect(next).resolves.toMatchObject({ exitCode: 0 });
    } finally {
      connect.mockRestore();
    }
  });

  it.each(["end", "reset"] as const)("reports a connection dropped while a command runs as SshConnectionLostError (%s)", async (how) => {
    const { server, runner } = await setUp(0);
    server.onExec = () => server.dropConnections(how);
    await expect(runner.run(["lvremove", "vg0/lv1"])).rejects.toBeInstanceOf(SshConnectionLostError);
  });

  it("says a host stopped answering when its keepalives go unanswered under a running command, and after how long", async () => {
    const { server, runner } = await setUp(0, {}, { keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
    server.onExec = () => server.hang();
    const failed = runner.run(["dd", "if=/dev/zero", "of=/dev/null"]);
    await expect(failed).rejects.toBeInstanceOf(SshConnectionLostError);
    await expect(failed).rejects.toThrow(/was lost while running dd .*\(the host stopped answering \(no reply to keepalives for 0\.4 s\)\)/);
  });

  it("names no cause for a connection dropped by the host, even after an earlier one stopped answering", async () => {
    const { server, runner } = await setUp(0, {}, { keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
    server.onExec = () => server.hang();
    await expect(runner.run(["sleep", "1"])).rejects.toThrow(/stopped answering/);
    server.onExec = () => server.dropConnections("reset");
    await expect(runner.run(["true"])).rejects.toThrow(/was lost while running true; the command may or may not have completed/);
  });

  it("shares connections between runners for the same target", async () => {
    const { server, pool } = await setUp(0);
    const target = targetFor(server);
    await pool.runner("a", target).run(["true"]);
    await pool.runner("b", target).run(["true"]);
    expect(server.stats.connections).toBe(1);
  });

  it("closes its connections on close()", async () => {
    const { server, pool, runner } = await setUp(0);
    await runMany(runner, 10);
    expect(pool.connectionCount).toBeGreaterThan(0);
    pool.close();
    expect(pool.connectionCount).toBe(0);
    await waitFor(() => server.stats.openConnections === 0);
  });

  it("closes a connection whose handshake finishes after close()", async () => {
    const { server, pool, runner } = await setUp(0);
    const pending = runner.run(["true"]);
    pool.close();
    await expect(pending).rejects.toThrow("the connection pool was closed");
    await waitFor(() => server.stats.connections === 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(server.stats.openConnections).toBe(0);
  });
});

describe("HostConnections", () => {
  it("closes a channel that outlives its client-side deadline and reports it as timed out", async () => {
    server = await startFakeSshServer({ onExec: () => undefined }); // Never answers.
    hosts = new HostConnections(targetFor(server), defaultPoolOptions);
    const started = Date.now();
    const result = await hosts.exec({ command: "sleep 100", maxStdoutBytes: 1_000, maxStderrBytes: 1_000, deadlineMs: 300 });
    expect(result).toMatchObject({ timedOut: true, exitCode: undefined, connectionLost: false });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(hosts.size).toBe(1); // The connection itself stays usable.
  });
});
