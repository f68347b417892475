/** The SSH layer's public surface: for drivers' hosts, and for the tools (lab, bench, compliance) that reach hosts themselves. */
export { SshPool, type CommandResult, type CommandRunner, type HostRunners, type RunOptions, type SshPoolOptions } from "./exec";
export { CommandError, HostKeyError, SshAuthError, SshConfigError, SshConnectError, SshConnectionLostError, SshError, isCommandError } from "./errors";
export { describeTarget, parseSshTarget, USER_NAME, type SshTarget, type SshTargetInput } from "./target";
export { hostInstallScript, sudoersFile } from "./privilege";
export type { TransportStats } from "./stats";
