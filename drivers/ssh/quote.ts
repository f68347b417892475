/**
 * The only place where an argv becomes command text.
 *
 * ssh2's `exec` takes one string that the remote login shell parses, so every element is
 * single-quoted: inside single quotes a POSIX shell gives no character a special meaning, and
 * the one character that cannot appear there (`'`) is written as `'\''`. Values reach the remote
 * program byte for byte, whatever they contain. The remote login shell must be POSIX (sh, bash,
 * dash, zsh); csh-family shells are not supported.
 */
export function quoteArg(arg: string): string {
  if (arg.includes("\0")) {
    throw new TypeError("a command argument cannot contain a NUL byte");
  }
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins an argv into one command line for a POSIX shell, quoting every element. */
export function quoteArgv(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new TypeError("a command needs at least a program name");
  }
  return argv.map(quoteArg).join(" ");
}
