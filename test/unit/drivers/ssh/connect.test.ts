import { createServer, type Server as NetServer, type Socket } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HostKeyError, SshAuthError, SshConfigError, SshConnectError } from "../../../../drivers/ssh/errors";
import { SshPool } from "../../../../drivers/ssh/exec";
import { fingerprint, parsePublicKeyLine } from "../../../../drivers/ssh/hostKey";
import type { SshTargetInput } from "../../../../drivers/ssh/target";
import { generateSshKeyPair, startFakeSshServer, targetFor, type FakeSshServer } from "../../../fakes/sshServer";

const PASSWORD = "correct-horse-battery";

let server: FakeSshServer;
let pool: SshPool;
let dir: string;

beforeAll(async () => {
  server = await startFakeSshServer({ password: PASSWORD });
  dir = mkdtempSync(join(tmpdir(), "cinderblock-connect-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  pool = new SshPool();
});
afterEach(() => pool.close());

/** Runs `true` on the fake server with the target changed by `overrides`. */
function runWith(overrides: Partial<SshTargetInput>, port = server.port): Promise<unknown> {
  return pool.runner("store-1", targetFor(server, { port, ...overrides })).run(["true"]);
}

function serverFingerprint(): string {
  const key = parsePublicKeyLine(server.hostKeyLine);
  if (!key) throw new Error("the fake server's host key does not parse");
  return fingerprint(key.blob);
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves with how long `promise` took to settle, and its rejection (or undefined). */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  return { ms: Date.now() - started, error };
}

describe("host key verification", () => {
  it("refuses a host that presents another key than the pinned one, naming the presented fingerprint", async () => {
    const commandsBefore = server.stats.commands.length;
    const wrong = generateSshKeyPair().public;
    const { error } = await timed(runWith({ hostKey: wrong }));
    expect(error).toBeInstanceOf(HostKeyError);
    expect((error as HostKeyError).presentedFingerprint).toBe(serverFingerprint());
    expect((error as HostKeyError).message).toContain(serverFingerprint());
    expect(server.stats.commands.length).toBe(commandsBefore);
  });

  it("connects when the pin is the host's SHA256: fingerprint", async () => {
    await expect(runWith({ hostKey: serverFingerprint() })).resolves.toMatchObject({ exitCode: 0 });
  });

  it("connects with a known_hosts file that lists the host", async () => {
    const knownHostsPath = join(dir, "known_hosts");
    writeFileSync(knownHostsPath, `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    await expect(runWith({ hostKey: undefined, knownHostsPath })).resolves.toMatchObject({ exitCode: 0 });
  });

  it("reports a pinned key of a type the host does not have as a connect error, not a host key error", async () => {
    const rsa = generateSshKeyPair("rsa").public;
    const { error } = await timed(runWith({ hostKey: rsa }));
    expect(error).toBeInstanceOf(SshConnectError);
    // Key-type negotiation fails before any key is presented, so there is no fingerprint to show.
    expect((error as Error).message).toContain("the host has no host key of the pinned type (ssh-rsa)");
  });
});

describe("authentication", () => {
  it("reports a user the server does not accept as SshAuthError", async () => {
    await expect(runWith({ user: "nobody" })).rejects.toBeInstanceOf(SshAuthError);
  });

  it("reports a key the server does not accept as SshAuthError", async () => {
    await expect(runWith({ privateKey: generateSshKeyPair().private })).rejects.toBeInstanceOf(SshAuthError);
  });

  it("logs in with a password", async () => {
    await expect(runWith({ privateKey: undefined, password: PASSWORD })).resolves.toMatchObject({ exitCode: 0 });
  });

  it("reports a wrong password as SshAuthError without showing the password", async () => {
    const password = "wrong-password-shown-never";
    const { error } = await timed(runWith({ privateKey: undefined, password }));
    expect(error).toBeInstanceOf(SshAuthError);
    expect((error as Error).message).toContain("password");
    expect((error as Error).message).not.toContain(password);
  });

  it("reports a missing privateKeyPath as SshConfigError naming the path", async () => {
    const privateKeyPath = join(dir, "no-such-key");
    const { error } = await timed(runWith({ privateKey: undefined, privateKeyPath }));
    expect(error).toBeInstanceOf(SshConfigError);
    expect((error as Error).message).toContain(`private key file ${privateKeyPath} does not exist`);
  });

  it("logs in with a key read from privateKeyPath", async () => {
    const privateKeyPath = join(dir, "id_ed25519");
    writeFileSync(privateKeyPath, server.clientPrivateKey, { mode: 0o600 });
    await expect(runWith({ privateKey: undefined, privateKeyPath })).resolves.toMatchObject({ exitCode: 0 });
  });

  it("reports private key text that is not a key as SshConfigError", async () => {
    await expect(runWith({ privateKey: "not a key" })).rejects.toBeInstanceOf(SshConfigError);
  });
});

describe("unreachable hosts", () => {
  let silent: NetServer;
  const silentSockets = new Set<Socket>();
  beforeAll(async () => {
    silent = createServer((socket) => {
      silentSockets.add(socket);
      socket.once("close", () => silentSockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of silentSockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("fails fast with SshConnectError saying the connection was refused on a closed port", async () => {
    const { ms, error } = await timed(runWith({}, await closedPort()));
    expect(error).toBeInstanceOf(SshConnectError);
    expect((error as Error).message).toContain("refused");
    expect(ms).toBeLessThan(5_000);
  });

  it("gives up after connectTimeoutMs on a port that accepts TCP but never speaks SSH", async () => {
    const { port } = silent.address() as { port: number };
    const { ms, error } = await timed(runWith({ connectTimeoutMs: 1_500 }, port));
    expect(error).toBeInstanceOf(SshConnectError);
    expect((error as Error).message).toContain("no SSH handshake within 1.5 s");
    expect(ms).toBeGreaterThanOrEqual(1_400);
    expect(ms).toBeLessThan(3_000);
  });
});
