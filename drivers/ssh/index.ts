/** The SSH layer's public surface: for drivers' hosts, and for the tools (lab, bench, compliance) that reach hosts themselves. */
export { SshPool, type CommandResult, type CommandRunner, type HostRunners, type RunOptions, type SshPoolOptions } from "./exec";
export { CommandError, HostKeyError, SshAuthError, SshConfigError, SshConnectError, SshConnectionLostError, SshError, isCommandError } from "./errors";
export { describeTarget, parseSshTarget, type SshTarget, type SshTargetInput } from "./target";
export type { TransportStats } from "./stats";
