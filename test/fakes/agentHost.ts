/**
 * Lets the fake SSH server run the session agent for real: an exec request that starts the
 * agent is run as sshd would run it, through the local `sh -c`, so the very command text the
 * client sent (quoting, env, `perl -e <source>`) starts a local perl. Other requests go to a
 * scripted handler. Also reads /proc to tell whether processes the agent started are gone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import type { ServerChannel } from "ssh2";
import { reply, type ExecHandler } from "./sshServer";

/** Whether `command` is the agent start command (`... perl -e <source>`). */
export function isAgentCommand(command: string): boolean {
  return /(^| )perl -e /.test(command);
}

export interface AgentHost {
  handler: ExecHandler;
  /** Every local shell started for an agent, newest last. */
  shells: ChildProcess[];
}

/** How the local "host" differs from this machine. */
export interface AgentHostOptions {
  /** Added to the agent's environment (as a host's sshd or sudo might leave it). */
  env?: Record<string, string>;
  /**
   * Searched before the remote PATH the client sets, as if its programs were installed on the
   * host (the fixed PATH in the command text is extended, nothing else is changed).
   */
  binDir?: string;
}

/** An exec handler that runs agent start commands locally and passes the rest to `other`. */
export function agentHost(other: ExecHandler = (_command, channel) => reply(channel, { stdout: "ok\n" }), options: AgentHostOptions = {}): AgentHost {
  const shells: ChildProcess[] = [];
  const handler: ExecHandler = (command, channel) => {
    if (!isAgentCommand(command)) {
      other(command, channel);
      return;
    }
    const local = options.binDir === undefined ? command : command.replace(/(^| )PATH=/, `$1PATH=${options.binDir}:`);
    shells.push(runLikeSshd(local, channel, options.env));
  };
  return { handler, shells };
}

/**
 * Runs `command` with `sh -c` wired to `channel` as sshd wires a session without a pty:
 * channel data to stdin, stdout and stderr to the channel, the exit status at the end. When
 * the channel goes away (client closed it, connection dropped) stdin and stdout are closed.
 */
export function runLikeSshd(command: string, channel: ServerChannel, env: Record<string, string> = {}): ChildProcess {
  const child = spawn("sh", ["-c", command], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  child.stdin.on("error", () => undefined);
  child.stdout.on("error", () => undefined);
  channel.on("data", (chunk: Buffer) => child.stdin.write(chunk));
  channel.on("end", () => child.stdin.end());
  child.stdout.on("data", (chunk: Buffer) => {
    if (channel.writable) channel.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    if (channel.writable) channel.stderr.write(chunk);
  });
  let channelGone = false;
  channel.on("close", () => {
    channelGone = true;
    child.stdin.destroy();
    child.stdout.destroy();
  });
  child.on("close", (code, signal) => {
    if (channelGone) return;
    if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
    else channel.exit(code ?? 0);
    channel.end();
  });
  return child;
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  comm: string;
}

function readStat(pid: number | string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // comm may hold spaces and parentheses: the fields after it start at the last ')'.
  const close = text.lastIndexOf(")");
  const [state = "", ppid = "0", pgrp = "0"] = text.slice(close + 2).split(" ");
  return { pid: Number(pid), state, ppid: Number(ppid), pgrp: Number(pgrp), comm: text.slice(text.indexOf("(") + 1, close) };
}

function allProcesses(): ProcStat[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(name))
    .filter((stat): stat is ProcStat => stat !== undefined);
}

/** Zombies count as gone: they run nothing, and whether init reaps them is not ours to test. */
function living(stat: ProcStat | undefined): boolean {
  return stat !== undefined && stat.state !== "Z" && stat.state !== "X";
}

export function processAlive(pid: number): boolean {
  return living(readStat(pid));
}

/** Living members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((stat) => stat.pgrp === pgid && living(stat))
    .map((stat) => stat.pid);
}

/** Living children of `ppid`, with their command names. */
export function childrenOf(ppid: number): Array<{ pid: number; comm: string }> {
  return allProcesses()
    .filter((stat) => stat.ppid === ppid && living(stat))
    .map((stat) => ({ pid: stat.pid, comm: stat.comm }));
}
