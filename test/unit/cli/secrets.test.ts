/**
 * Secrets under failure (issue 16, item 5): every way a run can go wrong with a secret in its
 * configuration or arguments, through the CLI in-process at debug level with --verbose, and a
 * sweep of everything it printed, logged or wrote for each secret and every 12-character piece
 * of it. The hosts are a real SSH server (ssh2's, in-process) refusing what it is given, a
 * closed port and an address that does not resolve. The host that authenticates answers
 * nonsense, so its runs stop at the host's setup check: credentials in an image URL are swept
 * here as far as argument parsing and the error paths, not into a host's command lines.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { main } from "../../../cli/main";
import { startFakeSshServer, type FakeSshServer } from "../../fakes/sshServer";

const PIECE = 12;

/** A fresh secret per run, long enough for many pieces, with characters URLs must escape. */
const secret = (label: string): string => `${label}-${randomBytes(18).toString("base64url")}`;

const PASSPHRASE = secret("pp");
const WRONG_PASSPHRASE = secret("wrong-pp");
const SERVER_PASSWORD = secret("server-pw");
const WRONG_PASSWORD = secret("wrong-pw");
const UNREACHED_PASSWORD = secret("unreached-pw");
const URL_PASSWORD = secret("url-pw");
const URL_TOKEN = secret("url-token");

let server: FakeSshServer;
let home: string;
let keyBody: string;
let keyText: string;
let keyPath: string;
const savedEnv = { HOME: process.env.HOME, CINDERBLOCK_LOG: process.env.CINDERBLOCK_LOG, CINDERBLOCK_CONFIG: process.env.CINDERBLOCK_CONFIG };

beforeAll(async () => {
  server = await startFakeSshServer({ password: SERVER_PASSWORD });
  home = mkdtempSync(join(tmpdir(), "cinderblock-secrets-"));
  keyPath = join(home, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", PASSPHRASE, "-C", "", "-f", keyPath]);
  keyText = readFileSync(keyPath, "utf8");
  keyBody = keyText
    .split("\n")
    .filter((line) => line && !line.startsWith("-----"))
    .join("");
  process.env.HOME = home;
  process.env.CINDERBLOCK_LOG = "debug";
  delete process.env.CINDERBLOCK_CONFIG;
});
afterAll(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Everything one run printed: stdout and stderr (the logger writes to stderr). */
async function cli(...argv: string[]): Promise<string> {
  let output = "";
  const capture = (chunk: unknown): boolean => ((output += String(chunk)), true);
  const out = jest.spyOn(process.stdout, "write").mockImplementation(capture);
  const err = jest.spyOn(process.stderr, "write").mockImplementation(capture);
  try {
    const code = await main([...argv, "--verbose"]);
    output += `\nexit ${code}\n`;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return output;
}

function host(name: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { name, address: "127.0.0.1", port: server.port, hostKey: server.hostKeyLine, connectTimeoutMs: 3_000, ...fields };
}

/** One backend per failure, so that each command meets every one of them. */
function backendsDocument(): Record<string, unknown> {
  const backend = (hostFields: Record<string, unknown>): Record<string, unknown> => ({ driver: "lvm", volumeGroup: "vg", hosts: [hostFields] });
  return {
    backends: {
      // Authenticates, so commands reach the host (which answers nonsense): the debug log's lines.
      "pw-right": backend(host("h1", { password: SERVER_PASSWORD })),
      "key-right-pp": backend(host("h1", { privateKey: keyText, passphrase: PASSPHRASE })),
      "key-wrong-pp": backend(host("h1", { privateKey: keyText, passphrase: WRONG_PASSPHRASE })),
      "keyfile-wrong-pp": backend(host("h1", { privateKeyPath: keyPath, passphrase: WRONG_PASSPHRASE })),
      "wrong-pw": backend(host("h1", { password: WRONG_PASSWORD })),
      "closed-port": backend(host("h1", { password: UNREACHED_PASSWORD, port: 1 })),
      "no-such-host": backend(host("h1", { password: UNREACHED_PASSWORD, address: "cinderblock-no-such-host.invalid" })),
    },
  };
}

function secretsAndPieces(): Array<{ secret: string; piece: string }> {
  const secrets = [PASSPHRASE, WRONG_PASSPHRASE, SERVER_PASSWORD, WRONG_PASSWORD, UNREACHED_PASSWORD, URL_PASSWORD, URL_TOKEN, keyBody];
  const found: Array<{ secret: string; piece: string }> = [];
  for (const value of secrets) {
    for (let at = 0; at + PIECE <= value.length; at++) found.push({ secret: value.slice(0, 6), piece: value.slice(at, at + PIECE) });
  }
  return found;
}

/** The files under `dir` (recursively) other than `except`, with their mode and text. */
function filesUnder(dir: string, except: ReadonlySet<string>): Array<{ path: string; mode: number; text: string }> {
  const files: Array<{ path: string; mode: number; text: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || except.has(path)) continue;
    files.push({ path, mode: statSync(path).mode & 0o777, text: readFileSync(path, "latin1") });
  }
  return files;
}

it("no secret nor any 12-character piece of one appears in any output, log, error or written file", async () => {
  const configPath = join(home, "backends.json");
  writeFileSync(configPath, JSON.stringify(backendsDocument()), { mode: 0o600 });
  const names = Object.keys(backendsDocument().backends as object);
  const url = `https://operator:${encodeURIComponent(URL_PASSWORD)}@127.0.0.1:1/images/disk.qcow2?token=${URL_TOKEN}`;

  const outputs: string[] = [];
  const run = async (...argv: string[]): Promise<void> => {
    outputs.push(await cli(...argv, "--config", configPath));
  };
  await run("stats");
  await run("stats", "--json");
  for (const name of names) {
    await run("volume", "list", "--backend", name);
    await run("volume", "create", "--backend", name, "--size-gb", "1", "--name", "v");
    await run("image", "import", `${name}/h1/vg/volume-1`, "--url", url, "--format", "qcow2");
  }

  // Configuration files that fail to parse or to validate, with the secret next to the fault.
  const broken = join(home, "broken.json");
  writeFileSync(broken, `{"backends": {"b": {"driver": "lvm", "hosts": [{"password": '${WRONG_PASSWORD}'}]}}}`, { mode: 0o600 });
  outputs.push(await cli("stats", "--config", broken));
  writeFileSync(
    broken,
    JSON.stringify({ backends: { b: { driver: "lvm", hosts: [{ name: "h", address: "x", port: "22", password: WRONG_PASSWORD, passphrase: PASSPHRASE }] } } }),
  );
  outputs.push(await cli("stats", "--config", broken));
  writeFileSync(
    broken,
    JSON.stringify({
      backends: { b: { driver: "lvm", hosts: [{ name: "h", address: "x", hostKey: "k", privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${keyBody}` }] } },
    }),
  );
  outputs.push(await cli("stats", "--config", broken));

  // The runs failed for the reasons they were meant to (a sweep of nothing proves nothing).
  const all = outputs.join("\n");
  expect(all).toMatch(/passphrase/i);
  expect(all).toMatch(/authenticat/i);
  expect(all).toMatch(/ECONNREFUSED|refused/);
  expect(all).toMatch(/ENOTFOUND|resolve/);
  expect(all).toMatch(/not valid JSON: the first error is at line 1/);
  expect(all).toContain("[cinderblock debug]");

  const written = filesUnder(home, new Set([configPath, broken, keyPath, `${keyPath}.pub`]));
  for (const file of written) expect({ path: file.path, looseMode: file.mode & 0o077 }).toEqual({ path: file.path, looseMode: 0 });
  const texts = [...outputs.map((text, index) => ({ where: `run ${index}`, text })), ...written.map((file) => ({ where: file.path, text: file.text }))];
  const leaks = secretsAndPieces().flatMap(({ secret: which, piece }) =>
    texts.filter(({ text }) => text.includes(piece)).map(({ where }) => `${which}… piece '${piece}' in ${where}`),
  );
  expect(leaks).toEqual([]);
}, 60_000);
