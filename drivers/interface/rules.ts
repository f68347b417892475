/**
 * Input rules that are part of the contract, so that callers (the Pulumi provider's `check`,
 * the CLI) can refuse bad input before anything runs, with the same limits every driver
 * enforces. Drivers may add their own (LVM reserves some names).
 */

/** A volume or snapshot name: letters, digits and `+_.-`, starting with a letter or digit. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9+_.-]{0,53}$/;
export const NAME_RULE = "must be 1 to 54 letters, digits, '+', '_', '.' or '-', starting with a letter or digit";

/** A caller-chosen identity (a UUID or similar). */
export const UUID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;
export const UUID_RULE = "must be letters, digits and dashes (at most 64)";

export const LABEL_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const LABEL_KEY_RULE = "label keys must be 1 to 63 lower-case letters, digits, '_', '.' or '-', starting alphanumeric";
export const LABEL_VALUE_PATTERN = /^[A-Za-z0-9_.+:/-]{0,200}$/;
export const LABEL_VALUE_RULE = "label values must be at most 200 letters, digits or _ . + : / -";

export const MAX_DESCRIPTION_BYTES = 512;
export const DESCRIPTION_RULE = `must be at most ${MAX_DESCRIPTION_BYTES} bytes`;
