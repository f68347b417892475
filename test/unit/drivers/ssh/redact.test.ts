import { CommandError, SshConnectError } from "../../../../drivers/ssh/errors";
import { redact, redactArgv, registerSecret, shownArgv } from "../../../../drivers/ssh/redact";
import { generateSshKeyPair } from "../../../fakes/sshServer";

// The registry is process-wide; every test uses its own values.
describe("redact", () => {
  it("replaces a registered secret wherever it appears in a message", () => {
    registerSecret("hunter2-redact-a");
    expect(redact("password hunter2-redact-a, again hunter2-redact-a")).toBe("password [redacted], again [redacted]");
  });

  it("registers a Buffer secret and its trimmed text", () => {
    registerSecret(Buffer.from("buffer-secret-b\n"));
    expect(redact("value=buffer-secret-b.")).toBe("value=[redacted].");
  });

  it("removes a secret that contains another secret as a whole", () => {
    registerSecret("inner-c");
    registerSecret("outer-inner-c-outer");
    expect(redact("x outer-inner-c-outer y")).toBe("x [redacted] y");
  });

  it("does not register values shorter than four characters", () => {
    registerSecret("abc");
    expect(redact("abc")).toBe("abc");
  });

  it("always removes PEM private key blocks, registered or not", () => {
    const key = generateSshKeyPair().private;
    const out = redact(`before\n${key}after`);
    expect(out).toBe("before\n[redacted]\nafter");
    expect(out).not.toContain("PRIVATE KEY");
  });

  it("redacts every element of an argv", () => {
    registerSecret("argv-secret-d");
    expect(redactArgv(["tool", "--chap=argv-secret-d", "plain"])).toEqual(["tool", "--chap=[redacted]", "plain"]);
  });
});

describe("errors built with secrets", () => {
  const secret = "chap-secret-e-123";
  beforeAll(() => registerSecret(secret));

  it("never carry a registered secret in a CommandError's message, shortMessage, argv, stdout or stderr", () => {
    const error = new CommandError({
      host: "store-1",
      argv: ["targetcli", `password=${secret}`],
      exitCode: 1,
      signal: undefined,
      stdout: `echo ${secret}`,
      stderr: `bad secret ${secret}\n`,
      durationMs: 5,
      timedOut: false,
      cancelled: false,
    });
    for (const text of [error.message, error.shortMessage, error.stdout, error.stderr, ...error.argv]) {
      expect(text).not.toContain(secret);
    }
    expect(error.shortMessage).toBe("targetcli on store-1 failed with exit code 1: bad secret [redacted]");
    expect(error.argv).toEqual(["targetcli", "password=[redacted]"]);
  });

  it("never carry a PEM key in any SshError message", () => {
    const key = generateSshKeyPair().private;
    const error = new SshConnectError("root@h:22", `bad key ${key}`);
    expect(error.message).not.toContain("PRIVATE KEY");
    expect(error.shortMessage).toBe(error.message);
  });

  it("show an inline host script by its name, its text left out, in messages and the command line shown", () => {
    const error = new CommandError({
      host: "store-1",
      argv: ["sh", "-c", 'set -u\nlvcreate "$@"\n', "lv-write.sh", "/run/lock/x.lock", "120"],
      exitCode: 76,
      signal: undefined,
      stdout: "",
      stderr: "gate cbgate-vg-v1: reload failed\n",
      durationMs: 5,
      timedOut: false,
      cancelled: false,
    });
    expect(error.shortMessage).toBe("lv-write.sh on store-1 failed with exit code 76: gate cbgate-vg-v1: reload failed");
    expect(error.message).toContain("command: lv-write.sh /run/lock/x.lock 120");
    expect(error.message).not.toContain("set -u");
    expect(shownArgv(["bash", "-c", "script", "gsnap", "a"])).toEqual(["gsnap", "a"]);
    expect(shownArgv(["sh", "-c", "echo hi"])).toEqual(["sh", "-c", "echo hi"]);
  });
});
