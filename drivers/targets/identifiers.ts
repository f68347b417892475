import { isIP } from "node:net";
import { InvalidConnector, InvalidInput } from "../interface/errors";
import type { Connector } from "../interface/types";

/**
 * iSCSI and NVMe names. Every name that reaches a target script (and a configfs directory
 * name) passes one of these patterns first: letters, digits and `.:-_` only, so it can never
 * hold a path separator, whitespace or anything a shell or configfs would read specially.
 */

/** iSCSI names are 223 bytes at most (RFC 3720), as are NQNs (NVMe base spec). */
const MAX_NAME = 223;

/** `iqn.YYYY-MM.reversed.domain[:anything]` in lower case (RFC 3722 normalizes to lower case), or EUI-64 / NAA. */
const IQN = /^(iqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.:-]+)?|eui\.[0-9A-F]{16}|naa\.[0-9A-F]{16}([0-9A-F]{16})?)$/;
/** `nqn.YYYY-MM.reversed.domain:anything`, e.g. `nqn.2014-08.org.nvmexpress:uuid:<uuid>`. */
const NQN = /^nqn\.\d{4}-(0[1-9]|1[0-2])\.[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:[A-Za-z0-9.:_-]+$/;
/** A prefix is the part before the first colon: `iqn.YYYY-MM.reversed.domain` / `nqn....`. */
export const IQN_PREFIX = /^iqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
export const NQN_PREFIX = /^nqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,252}$/;

export function isIqn(name: string): boolean {
  return name.length <= MAX_NAME && IQN.test(name);
}

export function isNqn(name: string): boolean {
  return name.length <= MAX_NAME && NQN.test(name);
}

/** Checks the fields a connector carries, whatever the protocol; nothing is echoed beyond 80 characters. */
export function checkConnector(connector: Connector): void {
  const shown = (value: string): string => JSON.stringify(value.slice(0, 80));
  if (typeof connector?.host !== "string" || !HOST_NAME.test(connector.host)) {
    throw new InvalidConnector(`connector.host must be a host name (letters, digits, '_', '.', '-'), not ${shown(String(connector?.host))}`);
  }
  if (connector.initiator !== undefined && !isIqn(connector.initiator)) {
    throw new InvalidConnector(
      `connector.initiator ${shown(connector.initiator)} is not an iSCSI name (iqn.YYYY-MM.domain[:id] in lower case, eui.<16 hex> or naa.<16|32 hex>)`,
    );
  }
  if (connector.nqn !== undefined && !isNqn(connector.nqn)) {
    throw new InvalidConnector(`connector.nqn ${shown(connector.nqn)} is not an NVMe qualified name (nqn.YYYY-MM.domain:id)`);
  }
  if (connector.ip !== undefined && isIP(connector.ip) === 0) {
    throw new InvalidConnector(`connector.ip ${shown(connector.ip)} is not an IPv4 or IPv6 address`);
  }
}

/**
 * The target (IQN) or subsystem (NQN) name of a volume: the prefix, then `:volume-` and the
 * volume's uuid in lower case (iSCSI names are compared in lower case).
 */
export function targetName(prefix: string, volumeUuid: string): string {
  const name = `${prefix}:volume-${volumeUuid.toLowerCase()}`;
  if (name.length > MAX_NAME) throw new InvalidInput(`the target name ${name.slice(0, 80)}... is longer than ${MAX_NAME} bytes; use a shorter prefix`);
  return name;
}

/** `address:port` (IPv6 in brackets) → its parts. @throws InvalidInput */
export function splitPortal(portal: string): { address: string; port: string } {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(portal);
  const address = match?.[1] ?? match?.[2];
  const port = match?.[3];
  if (!address || !port || Number(port) < 1 || Number(port) > 65535) {
    throw new InvalidInput(`portal '${portal.slice(0, 80)}' must be address:port (IPv6 as [address]:port)`);
  }
  return { address, port };
}

/** The inverse of `splitPortal`. */
export function joinPortal(address: string, port: number | string): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
