import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandError, HostKeyError, SshAuthError, SshConfigError, SshConnectError } from "../../drivers/ssh/errors";
import { SshPool } from "../../drivers/ssh/exec";
import { fingerprint, parsePublicKeyLine } from "../../drivers/ssh/hostKey";
import { labStatus } from "../../lab/lab";
import { labHost, labTarget, onHost, onHostOk, unique } from "./support";

describe("SSH transport against a real lab host", () => {
  let pool: SshPool;
  beforeEach(() => {
    pool = new SshPool();
  });
  afterEach(() => pool.close());

  it("runs a command and returns its output and exit code", async () => {
    const result = await pool.runner("lab-1", labTarget()).run(["uname", "-n"]);
    expect(result.stdout.trim()).toBe(labHost().name);
    expect(result.exitCode).toBe(0);
  });

  it("runs every command with LC_ALL=C and a PATH that has sbin", async () => {
    const result = await pool.runner("lab-1", labTarget()).run(["sh", "-c", 'echo "$LC_ALL $PATH"']);
    expect(result.stdout).toMatch(/^C .*\/usr\/sbin/);
  });

  it("reports a failing command with its exit code, stderr and the host", async () => {
    const error = await pool
      .runner("lab-1", labTarget())
      .run(["ls", "/no/such/path"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    const failure = error as CommandError;
    expect(failure.exitCode).toBe(2);
    expect(failure.stderr).toContain("No such file or directory");
    expect(failure.shortMessage).toMatch(/^ls on lab-1 failed with exit code 2/);
  });

  it("kills a hung command at its deadline and leaves no process behind", async () => {
    const marker = `${1000 + Math.floor(Math.random() * 1000)}.5`;
    const started = Date.now();
    const error = await pool
      .runner("lab-1", labTarget())
      .run(["sh", "-c", 'sleep "$1"; echo never', "sh", marker], { timeoutMs: 3_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect((error as CommandError).timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    const left = await onHost(`pgrep -xf 'sleep ${marker}' || true`);
    expect(left.stdout.trim()).toBe("");
  });

  it("reconnects transparently after the host kills the connection", async () => {
    const runner = pool.runner("lab-1", labTarget());
    await runner.run(["true"]);
    expect(pool.connectionCount).toBe(1);
    // Kill every root sshd session except the one running this very command.
    await onHostOk(`for p in $(pgrep -xf 'sshd: root@notty'); do [ "$p" = "$PPID" ] || kill -9 "$p"; done`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await runner.run(["echo", "back"]);
    expect(result.stdout.trim()).toBe("back");
  });

  it("refuses a host whose key is not the pinned one, showing the presented fingerprint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "other")]);
    const otherKey = readFileSync(join(dir, "other.pub"), "utf8");
    const error = await pool
      .runner("lab-1", labTarget(0, { hostKey: otherKey }))
      .run(["touch", "/tmp/should-not-exist"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyError);
    const real = parsePublicKeyLine(labHost().hostKey);
    expect((error as Error).message).toContain(fingerprint(real!.blob));
    expect((await onHost("test -e /tmp/should-not-exist")).code).not.toBe(0);
  });

  it("accepts a host pinned by its SHA256 fingerprint", async () => {
    const real = parsePublicKeyLine(labHost().hostKey)!;
    const result = await pool.runner("lab-1", labTarget(0, { hostKey: fingerprint(real.blob) })).run(["true"]);
    expect(result.exitCode).toBe(0);
  });

  it("runs 50 concurrent commands over a handful of connections", async () => {
    const runner = pool.runner("lab-1", labTarget());
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => runner.run(["echo", `n${i}`])));
    expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
    expect(pool.connectionCount).toBeGreaterThanOrEqual(1);
    expect(pool.connectionCount).toBeLessThanOrEqual(4);
  });

  it("passes hostile strings to the remote program verbatim and lets none of them run", async () => {
    const id = unique("pwned");
    const hostile = [
      `; touch /tmp/${id}-1`,
      `$(touch /tmp/${id}-2)`,
      `\`touch /tmp/${id}-3\``,
      `' ; touch /tmp/${id}-4 ; '`,
      `" ; touch /tmp/${id}-5 ; "`,
      `\ntouch /tmp/${id}-6\n`,
      `| touch /tmp/${id}-7`,
      `&& touch /tmp/${id}-8 &`,
      "*",
      "~",
      "",
      "-n",
      "tab\there, 'quoted' \"double\" \\back $HOME ${PATH}",
    ];
    const runner = pool.runner("lab-1", labTarget());
    const result = await runner.run(["printf", "%s\\0", ...hostile]);
    expect(result.stdout.split("\0").slice(0, -1)).toEqual(hostile);
    const created = await onHost(`ls /tmp/${id}-* 2>/dev/null || true`);
    expect(created.stdout.trim()).toBe("");
  });

  it("uses sudo -n for a non-root user: a listed program runs as root, an unlisted one is refused before it is sent", async () => {
    const runner = pool.runner("lab-1", labTarget(0, { user: "cinder", sudo: true }));
    // The owner of /proc/self is the process reading it: `stat` runs as root through sudo.
    const result = await runner.run(["stat", "-c", "%u", "/proc/self"]);
    expect(result.stdout.trim()).toBe("0");
    await expect(runner.run(["id", "-u"])).rejects.toThrow(/would run 'id' as root, which its sudoers file does not list/);
  });

  it("authenticates with a password", async () => {
    const dir = labStatus().hosts.find((host) => host.name === labHost().name)!.dir;
    const password = readFileSync(join(dir, "seed", "cinder_password"), "utf8").trim();
    const target = labTarget(0, { user: "cinder", privateKeyPath: undefined, password });
    const result = await pool.runner("lab-1", target).run(["whoami"]);
    expect(result.stdout.trim()).toBe("cinder");
  });

  it("authenticates with an in-memory key protected by a passphrase", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "s3cret-phrase", "-f", join(dir, "k")]);
    const pub = readFileSync(join(dir, "k.pub"), "utf8").trim();
    await onHostOk(`echo '${pub}' >> /home/cinder/.ssh/authorized_keys`);
    const target = labTarget(0, {
      user: "cinder",
      privateKeyPath: undefined,
      privateKey: readFileSync(join(dir, "k"), "utf8"),
      passphrase: "s3cret-phrase",
    });
    expect((await pool.runner("lab-1", target).run(["whoami"])).stdout.trim()).toBe("cinder");
  });

  it("authenticates through an ssh-agent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cb-agent-"));
    const socket = join(dir, "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      for (let i = 0; i < 50; i++) {
        try {
          execFileSync("ssh-add", ["-q", labHost().privateKeyPath], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
          break;
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      const target = labTarget(0, { privateKeyPath: undefined, agent: socket });
      expect((await pool.runner("lab-1", target).run(["whoami"])).stdout.trim()).toBe("root");
    } finally {
      agent.kill();
    }
  });

  describe("bad connection settings fail clearly and run nothing", () => {
    it("names a missing private key file", async () => {
      const error = await pool
        .runner("lab-1", labTarget(0, { privateKeyPath: "/nonexistent/key" }))
        .run(["true"])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshConfigError);
      expect((error as Error).message).toContain("/nonexistent/key does not exist");
    });

    it("bounds the wait for an unreachable host", async () => {
      const started = Date.now();
      const error = await pool
        .runner("nowhere", labTarget(0, { port: 1, connectTimeoutMs: 3_000 }))
        .run(["true"])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshConnectError);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it("reports a wrong user as an authentication failure", async () => {
      const error = await pool
        .runner("lab-1", labTarget(0, { user: "nosuchuser" }))
        .run(["true"])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SshAuthError);
      expect((error as Error).message).toContain("nosuchuser@127.0.0.1");
    });
  });
});
