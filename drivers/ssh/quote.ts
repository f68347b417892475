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
  checkArg(arg);
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) {
    return arg;
  }
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Joins an argv into one command line for a POSIX shell, quoting every element. */
export function quoteArgv(argv: readonly string[]): string {
  checkArgv(argv);
  return argv.map(quoteArg).join(" ");
}

/**
 * What any argv must satisfy to reach a remote program intact, however it travels (command
 * text or the session agent's frames): a program name, and no NUL, which execve cannot carry.
 */
export function checkArgv(argv: readonly string[]): void {
  if (argv.length === 0) {
    throw new TypeError("a command needs at least a program name");
  }
  argv.forEach(checkArg);
}

function checkArg(arg: string): void {
  if (arg.includes("\0")) {
    throw new TypeError("a command argument cannot contain a NUL byte");
  }
}
