import { actionsOf, COMMON_FLAGS, flagsOf } from "./usageText";

export const completionUsage = `cinderblock completion bash|zsh   print a shell completion script; load it with
                          source <(cinderblock completion bash)   (in ~/.bashrc; zsh: ~/.zshrc)`;

export const SHELLS = ["bash", "zsh"] as const;
export type Shell = (typeof SHELLS)[number];

/** A command as completion sees it: its usage text, where its actions and flags are read from. */
export interface Completable {
  name: string;
  usage: string;
}

/**
 * The completion script for `shell`: every word it offers is written into it, so a TAB never
 * starts node. zsh loads the bash function through bashcompinit, which zsh ships for this.
 */
export function completionScript(shell: Shell, commands: readonly Completable[]): string {
  const commandCases = commands.map(
    (command) =>
      `        "${command.name}") words="${actionsOf(command.usage, command.name).join(" ")}"; flags="${flagsOf(command.usage, command.name).join(" ")}" ;;`,
  );
  const actionCases = commands.flatMap((command) =>
    actionsOf(command.usage, command.name).map(
      (action) => `            "${command.name} ${action}") flags="${flagsOf(command.usage, command.name, action).join(" ")}" ;;`,
    ),
  );
  const bash = `_cinderblock() {
    local cur="\${COMP_WORDS[COMP_CWORD]}" command="" action="" words="" flags="${COMMON_FLAGS.join(" ")}" i
    # The command and its action are the first two words that are not flags.
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "\${COMP_WORDS[i]}" in
            -*) ;;
            *) if [[ -z "$command" ]]; then command="\${COMP_WORDS[i]}"; elif [[ -z "$action" ]]; then action="\${COMP_WORDS[i]}"; fi ;;
        esac
    done
    if [[ -z "$command" ]]; then
        words="${commands.map((command) => command.name).join(" ")} help"
    else
        case "$command" in
${commandCases.join("\n")}
        esac
        if [[ -n "$action" ]]; then
            words=""
            case "$command $action" in
${actionCases.join("\n")}
            esac
        fi
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    elif [[ -n "$words" ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _cinderblock cinderblock
`;
  if (shell === "bash") return `# cinderblock completion for bash: source <(cinderblock completion bash)\n${bash}`;
  return `# cinderblock completion for zsh: source <(cinderblock completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}`;
}
