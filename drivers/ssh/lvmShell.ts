/**
 * Which commands may go to the host's persistent `lvm` shell (agent.pl's LVM request). The
 * shell reads a whole command line and splits it on blanks with only crude quoting, so an
 * argv goes there only when every word is made of characters that split and quote nothing;
 * anything else runs as its own process, where argv passes intact.
 */

const SAFE_WORD = /^[A-Za-z0-9_.,:=+/@%-]+$/;
/** The agent refuses longer lines (it writes each in one go into the shell's stdin pipe). */
const MAX_LINE_BYTES = 16 * 1024;

/** Whether `argv` (`["lvm", "fullreport", ...]` or `["lvs", ...]`) can run in the lvm shell. */
export function fitsLvmShell(argv: readonly string[]): boolean {
  const words = argv[0] === "lvm" ? argv.slice(1) : argv;
  if (words.length === 0 || !words.every((word) => SAFE_WORD.test(word))) return false;
  // The words are ASCII, so characters count bytes; +1 for the newline.
  return words.join(" ").length + 1 <= MAX_LINE_BYTES;
}
