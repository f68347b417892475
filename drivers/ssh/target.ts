import { isIP } from "node:net";
import { z } from "zod";
import { registerSecret } from "./redact";

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
export const USER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/;

export const hostAddressSchema = z.string().refine((value) => isIP(value) !== 0 || HOSTNAME.test(value), {
  message: "must be a host name or an IP address",
});

/**
 * How to reach one LVM host. Exactly what pulumi-command calls a `Connection`, but host-key
 * verification is mandatory: give `hostKey` (an OpenSSH public key line or a `SHA256:`
 * fingerprint) or `knownHostsPath`.
 */
export const sshTargetObject = z
  .object({
    /** Host name or IP address. */
    address: hostAddressSchema,
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(USER_NAME, "must be a plain user name").default("root"),
    /** Private key text (OpenSSH or PEM). Secret. */
    privateKey: z.string().min(1).optional(),
    /** Path to a private key file on the machine running cinderblock; read at each connect. */
    privateKeyPath: z.string().min(1).optional(),
    /** Passphrase for an encrypted private key. Secret. */
    passphrase: z.string().optional(),
    /** Password authentication. Secret. */
    password: z.string().optional(),
    /** Path of an ssh-agent socket; `true` means `$SSH_AUTH_SOCK`. */
    agent: z.union([z.string().min(1), z.boolean()]).optional(),
    /** Pinned host key: `ssh-ed25519 AAAA...` (preferred) or `SHA256:...`. */
    hostKey: z.string().min(1).optional(),
    /** An OpenSSH known_hosts file to verify the host key against. */
    knownHostsPath: z.string().min(1).optional(),
    /** Run every command through `sudo -n` (for a non-root user with passwordless sudo). */
    sudo: z.boolean().default(false),
    /** Bound on TCP connect plus SSH handshake. */
    connectTimeoutMs: z.number().int().min(100).max(300_000).default(15_000),
    /**
     * A connection whose host answers no keepalive for this long times keepaliveCountMax is
     * dropped, failing its commands: what bounds the wait on a hung host (default 10 s x 3).
     */
    keepaliveIntervalMs: z.number().int().min(500).max(300_000).optional(),
    keepaliveCountMax: z.number().int().min(1).max(100).optional(),
  })
  .strict();

type TargetFields = z.output<typeof sshTargetObject>;

/** The checks across fields, shared by every schema that embeds a target. */
export function checkTarget(target: TargetFields, ctx: z.RefinementCtx): void {
  if (!target.hostKey && !target.knownHostsPath) {
    ctx.addIssue({
      code: "custom",
      path: ["hostKey"],
      message: "a pinned hostKey or a knownHostsPath is required: host keys are always verified " + "(get the key with `ssh-keyscan -t ed25519 HOST`)",
    });
  }
  if (!target.privateKey && !target.privateKeyPath && !target.password && !target.agent) {
    ctx.addIssue({
      code: "custom",
      path: ["privateKey"],
      message: "no authentication method: set privateKey, privateKeyPath, agent or password",
    });
  }
}

export const sshTargetSchema = sshTargetObject.superRefine(checkTarget);

export type SshTargetInput = z.input<typeof sshTargetSchema>;
export type SshTarget = z.output<typeof sshTargetSchema>;

/** Validates a target and registers its secrets with the redactor before anything can log them. */
export function parseSshTarget(input: unknown): SshTarget {
  if (input && typeof input === "object") {
    const raw = input as Record<string, unknown>;
    for (const key of ["privateKey", "passphrase", "password"] as const) {
      if (typeof raw[key] === "string") registerSecret(raw[key] as string);
    }
  }
  return sshTargetSchema.parse(input);
}

export function describeTarget(target: Pick<SshTarget, "user" | "address" | "port">): string {
  const host = isIP(target.address) === 6 ? `[${target.address}]` : target.address;
  return `${target.user}@${host}:${target.port}`;
}
