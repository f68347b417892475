# shellcheck shell=sh
# Put in front of the scripts that evaluate command lines the driver built (lv-write.sh,
# volume-remove.sh). On a sudo host those scripts run as root with arguments the SSH user
# chooses, so a line is evaluated only when it cannot be anything but what the driver sends:
# commands joined by " && ", each an lvcreate, lvextend, lvchange or lvremove, or a dd that
# zeroes a device-mapper device, made of plain words, braces and single quotes only
# (quoteArgv's output for LVM names, sizes, tags and --config): no character can expand,
# redirect or chain another command.

# Evaluates the command line $1 when it passes; otherwise says why on stderr and returns 126.
run_line() {
  guard_why=
  case $1 in
    *[!A-Za-z0-9_.,:=+/@%{}\'\ \&-]*) guard_why="it holds a character other than plain words and single quotes" ;;
  esac
  guard_rest=$1
  while [ -z "$guard_why" ]; do
    guard_part=${guard_rest%% && *}
    case $guard_part in
      *\&*) guard_why="it holds '&' outside a ' && ' between commands" ;;
      lvcreate\ *|lvextend\ *|lvchange\ *|lvremove\ *) ;;
      "dd if=/dev/zero of=/dev/mapper/"*)
        case $guard_part in *" of="*" of="*|*" if="*" if="*|*/..*) guard_why="dd with a second if= or of=, or a '..'" ;; esac ;;
      *) guard_why="'${guard_part%% *}' is not a command this script runs" ;;
    esac
    [ "$guard_part" = "$guard_rest" ] && break
    guard_rest=${guard_rest#* && }
  done
  if [ -n "$guard_why" ]; then
    echo "$0: refused to run a command line: $guard_why" >&2
    return 126
  fi
  eval "$1"
}
