import { readFileSync } from "node:fs";
import { silentLogger } from "../../drivers";
import { hostInstallScript } from "../../drivers/ssh/privilege";
import { SshPool } from "../../drivers/ssh/exec";
import { labConfigPath, labTarget } from "./support";

/** The lab's non-root operator: a user whose only rights are cinderblock's sudoers file. */
export const OPERATOR = "cbop";

/**
 * Makes lab host `index` ready for OPERATOR, as an operator would with `cinderblock sudoers
 * --install` (the same generated script, visudo-checked): the user with the lab's key, the host
 * scripts root-owned, the sudoers file. Idempotent; about a second.
 */
export async function provisionOperator(index = 0): Promise<void> {
  // sudo looks the host's name up on every command; the lab guest's is in no hosts file.
  const account = `grep -qs "[[:space:]]$(hostname)$" /etc/hosts || echo "127.0.1.1 $(hostname)" >> /etc/hosts
id ${OPERATOR} >/dev/null 2>&1 || useradd -m -s /bin/sh ${OPERATOR}
install -d -m 700 -o ${OPERATOR} -g ${OPERATOR} /home/${OPERATOR}/.ssh
install -m 600 -o ${OPERATOR} -g ${OPERATOR} /root/.ssh/authorized_keys /home/${OPERATOR}/.ssh/authorized_keys
`;
  const pool = new SshPool({ sessions: false }, silentLogger);
  try {
    await pool.runner("lab-root", labTarget(index)).run(["sh", "-s"], { stdin: `${account}${hostInstallScript(OPERATOR)}visudo -c >/dev/null\n` });
  } finally {
    pool.close();
  }
}

/** The tests' `lab` backend (first host) as OPERATOR through sudo instead of root. */
export function operatorLabBackend(): Record<string, unknown> {
  const lab = (JSON.parse(readFileSync(labConfigPath(), "utf8")) as { backends: { lab: { hosts: Array<Record<string, unknown>> } } }).backends.lab;
  return { ...lab, hosts: lab.hosts.map((host) => ({ ...host, user: OPERATOR, sudo: true })) };
}
