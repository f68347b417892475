/**
 * A process-wide registry of secret values (private keys, passphrases, passwords, CHAP
 * secrets). Anything that may reach a log, an error message or Pulumi state passes through
 * `redact` first, so a secret registered once can never be printed afterwards.
 */
const secrets = new Set<string>();
let ordered: string[] = [];

const REDACTED = "[redacted]";
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY-----/g;
/** Values this short would redact ordinary words; they are still never logged on purpose. */
const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string | Buffer | undefined): void {
  if (value === undefined) return;
  const text = typeof value === "string" ? value : value.toString("utf8");
  for (const candidate of [text, text.trim()]) {
    if (candidate.length >= MIN_SECRET_LENGTH && !secrets.has(candidate)) {
      secrets.add(candidate);
      // Longest first, so a secret that contains another is removed whole.
      ordered = [...secrets].sort((a, b) => b.length - a.length);
    }
  }
}

export function redact(text: string): string {
  let out = text.replace(PEM_BLOCK, REDACTED);
  for (const secret of ordered) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

export function redactArgv(argv: readonly string[]): string[] {
  return argv.map(redact);
}

/**
 * An argv as logs and messages show it: redacted, and an inline script (`sh -c SCRIPT NAME
 * ARG...`) as `NAME ARG...`, since the script's text says nothing a reader needs there.
 */
export function shownArgv(argv: readonly string[]): string[] {
  const redacted = redactArgv(argv);
  const inlineScript = (redacted[0] === "sh" || redacted[0] === "bash") && redacted[1] === "-c" && redacted[3] !== undefined;
  return inlineScript ? redacted.slice(3) : redacted;
}
