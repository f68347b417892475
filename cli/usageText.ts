/**
 * What a command's usage text says, read back: its actions and flags. The usage text is the one
 * place commands declare their shape, so help, suggestions and shell completion cannot drift
 * from what `cinderblock help` prints.
 */

/** Flags every command takes (main strips --verbose and answers -h/--help itself). */
export const COMMON_FLAGS = ["--config", "--json", "--verbose", "--help"] as const;

interface Entry {
  /** The words after `cinderblock`: the command, then the action where the command has actions. */
  words: string[];
  lines: string[];
}

/** The usage lines of `command`, each entry with its continuation lines, and the notes that apply to all. */
function entriesOf(usage: string, command: string): { entries: Entry[]; notes: string[] } {
  const entries: Entry[] = [];
  const notes: string[] = [];
  // Where an indented line belongs: the entry or the note it continues.
  let continues: string[] = notes;
  for (const line of usage.split("\n")) {
    if (line.startsWith("cinderblock ")) {
      const entry = { words: line.slice("cinderblock ".length).split(/\s+/), lines: [line] };
      entries.push(entry);
      continues = entry.lines;
    } else if (/^\s+\(/.test(line)) {
      notes.push(line);
      continues = notes;
    } else continues.push(line);
  }
  return { entries: entries.filter((entry) => entry.words[0] === command), notes };
}

/** An action word: lower-case, not a placeholder (ID), an option ([--x]) or a redirection. */
const ACTION = /^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/;

/** The actions `command` takes (`volume` → create, list, ...); empty for a command without actions. */
export function actionsOf(usage: string, command: string): string[] {
  const actions = entriesOf(usage, command).entries.flatMap((entry) => (ACTION.test(entry.words[1] ?? "") ? (entry.words[1] ?? "").split("|") : []));
  return [...new Set(actions)];
}

function entriesFor(usage: string, command: string, action: string | undefined): { entries: Entry[]; notes: string[] } {
  const { entries, notes } = entriesOf(usage, command);
  if (action === undefined) return { entries, notes };
  return { entries: entries.filter((entry) => (entry.words[1] ?? "").split("|").includes(action)), notes };
}

/** The flags `command action` names in its usage, then the common ones. */
export function flagsOf(usage: string, command: string, action?: string): string[] {
  const named = entriesFor(usage, command, action).entries.flatMap((entry) => entry.lines.join(" ").match(/--[a-z][a-z0-9-]*/g) ?? []);
  return [...new Set([...named, ...COMMON_FLAGS])];
}

/** The usage lines of `command` (or of one of its actions), with the notes that apply to them. */
export function usageOf(usage: string, command: string, action?: string): string {
  const { entries, notes } = entriesFor(usage, command, action);
  return [...entries.flatMap((entry) => entry.lines), ...notes].join("\n");
}
