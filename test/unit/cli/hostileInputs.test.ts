/**
 * Hostile strings through every CLI input (issue 16, item 4), in-process, against a backend
 * whose only host is a closed port: an input is either refused before any host is contacted,
 * with a one-line message that names the input and its expected shape and shows the value
 * only sanitized, or accepted (and the run then fails at the connection, having sent nothing).
 * What an accepted string does on a real host is the lab's to prove.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../../cli/main";
import { HOSTILE } from "../../fixtures/hostileStrings";

const ID = "lab/h1/cinder-volumes/volume-1";
/** An id positional's refusal: its shape, or (for an id of that shape) the backend it names. */
const ID_REFUSAL = /\bid\b|backend/;

interface Input {
  /** The command line with `{}` where the hostile string goes. */
  argv: string[];
  /** What a refusal must name: the flag, or the kind of positional. */
  names: RegExp;
}

/** Every flag that takes a value and every positional, each in an otherwise valid command line. */
const INPUTS: Input[] = [
  { argv: ["volume", "create", "--backend", "{}", "--size-gb", "1"], names: /backend/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "{}"], names: /--size-gb/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--name", "{}"], names: /name/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--host", "{}"], names: /host/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--from-snapshot", "{}"], names: /--from-snapshot|snapshot id/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--from-volume", "{}"], names: /--from-volume|volume id/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--description", "{}"], names: /description/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--label", "{}"], names: /label/ },
  { argv: ["volume", "create", "--backend", "lab", "--size-gb", "1", "--uuid", "{}"], names: /uuid/ },
  { argv: ["volume", "list", "--backend", "{}"], names: /backend/ },
  { argv: ["volume", "show", "{}"], names: ID_REFUSAL },
  { argv: ["volume", "extend", "{}", "--size-gb", "2"], names: ID_REFUSAL },
  { argv: ["volume", "extend", ID, "--size-gb", "{}"], names: /--size-gb/ },
  { argv: ["volume", "delete", "{}"], names: ID_REFUSAL },
  { argv: ["snapshot", "create", "{}"], names: ID_REFUSAL },
  { argv: ["snapshot", "create", ID, "--name", "{}"], names: /name/ },
  { argv: ["snapshot", "create", ID, "--description", "{}"], names: /description/ },
  { argv: ["snapshot", "create", ID, "--uuid", "{}"], names: /uuid/ },
  { argv: ["snapshot", "delete", "{}"], names: ID_REFUSAL },
  { argv: ["group", "show", "{}"], names: ID_REFUSAL },
  { argv: ["group", "snapshot", "{}"], names: ID_REFUSAL },
  { argv: ["attach", "show", "{}"], names: ID_REFUSAL },
  { argv: ["attach", "create", ID, "--protocol", "{}", "--host", "h", "--initiator", "iqn.2026-01.io.example:host"], names: /--protocol/ },
  { argv: ["attach", "create", ID, "--protocol", "iscsi", "--host", "h", "--initiator", "{}"], names: /initiator|IQN/ },
  { argv: ["image", "import", ID, "--url", "{}", "--format", "raw"], names: /url|URL/ },
  { argv: ["image", "import", ID, "--host-path", "{}", "--format", "raw"], names: /host-?path/i },
  { argv: ["image", "import", ID, "--url", "https://example.com/a.raw", "--format", "{}"], names: /--format/ },
  { argv: ["image", "import", ID, "--url", "https://example.com/a.raw", "--format", "raw", "--sha256", "{}"], names: /sha256/ },
  { argv: ["manage", "volume", "{}", "--backend", "lab"], names: /LV|lv|name/ },
  { argv: ["manage", "volume", "lv1", "--backend", "lab", "--label", "{}"], names: /label/ },
];

let dir: string;
let config: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cinderblock-hostile-"));
  config = join(dir, "backends.json");
  const host = {
    name: "h1",
    address: "127.0.0.1",
    port: 1,
    password: "unused-password",
    hostKey: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    connectTimeoutMs: 1000,
  };
  writeFileSync(config, JSON.stringify({ backends: { lab: { driver: "lvm", volumeGroup: "cinder-volumes", hosts: [host] } } }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const out = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main([...argv, "--config", config]), stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The run got past validation: it failed at the (closed) host. */
const REACHED_HOST = /cannot connect to|connection refused|host key|no host of backend/;
/** What a sanitized message may not hold: control characters other than the final newline. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

it(`has at least 50 hostile strings and covers ${INPUTS.length} inputs`, () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(50);
});

describe.each(INPUTS)("$argv", ({ argv, names }) => {
  it("refuses each hostile string naming the input, or accepts it and contacts no host before validating", async () => {
    const problems: string[] = [];
    for (const value of HOSTILE) {
      const { code, stderr } = await cli(argv.map((arg) => (arg === "{}" ? value : arg)));
      const first = stderr.split("\n")[0] ?? "";
      const shown = JSON.stringify(value).slice(0, 40);
      if (code === 0) continue;
      if (![1, 2].includes(code)) problems.push(`${shown}: exit ${code}`);
      if (REACHED_HOST.test(first)) continue;
      // A leading dash makes a word a flag, as for any command line (`--` ends the flags).
      if (value.startsWith("-") && /unknown flag|unexpected argument|Option '|argument missing|ambiguous/.test(first)) continue;
      if (!names.test(first)) problems.push(`${shown}: refusal does not name the input: ${first}`);
      if (CONTROL.test(first) || first.includes("\0")) problems.push(`${shown}: refusal shows the value unsanitized: ${JSON.stringify(first)}`);
      if (first.length > 600) problems.push(`${shown}: refusal is ${first.length} characters long`);
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
