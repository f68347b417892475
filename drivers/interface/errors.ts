/**
 * The errors a driver may throw, named after Cinder's exceptions so that the manager-style
 * semantics carry over (a `VolumeIsBusy` on delete means "refused, nothing changed"). Every
 * driver method throws only these; transport and command failures are wrapped in
 * `VolumeBackendAPIException` with the original as `cause`.
 */
export type DriverErrorCode =
  | "InvalidInput"
  | "InvalidConfiguration"
  | "NotSupported"
  | "VolumeNotFound"
  | "SnapshotNotFound"
  | "GroupNotFound"
  | "VolumeAlreadyExists"
  | "VolumeIsBusy"
  | "SnapshotIsBusy"
  | "VolumeSizeExceedsAvailableQuota"
  | "NoValidBackend"
  | "ManageExistingInvalidReference"
  | "ManageExistingAlreadyManaged"
  | "ManageExistingVolumeTypeMismatch"
  | "ImageUnacceptable"
  | "ImageTooBig"
  | "ImageCopyFailure"
  | "InvalidConnector"
  | "BackendUnavailable"
  | "VolumeBackendAPIException";

export abstract class DriverError extends Error {
  abstract readonly code: DriverErrorCode;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: new.target.name, enumerable: false });
  }

  /** The one-line form (the message itself is already one actionable sentence). */
  get shortMessage(): string {
    return this.message.split("\n")[0] ?? this.message;
  }
}

/** A parameter is malformed or out of range; nothing was changed. */
export class InvalidInput extends DriverError {
  readonly code = "InvalidInput";
}

/** The backend's configuration cannot work (missing VG, LVM not using a devices file, ...). */
export class InvalidConfiguration extends DriverError {
  readonly code = "InvalidConfiguration";
}

/** The driver or backend cannot do this at all (not a transient failure). */
export class NotSupported extends DriverError {
  readonly code = "NotSupported";
}

export class VolumeNotFound extends DriverError {
  readonly code = "VolumeNotFound";
  constructor(
    readonly volumeId: string,
    detail = "",
  ) {
    super(`volume ${volumeId} does not exist${detail ? ` (${detail})` : ""}`);
  }
}

export class SnapshotNotFound extends DriverError {
  readonly code = "SnapshotNotFound";
  constructor(
    readonly snapshotId: string,
    detail = "",
  ) {
    super(`snapshot ${snapshotId} does not exist${detail ? ` (${detail})` : ""}`);
  }
}

export class GroupNotFound extends DriverError {
  readonly code = "GroupNotFound";
  constructor(readonly groupId: string) {
    super(`consistency group ${groupId} does not exist`);
  }
}

/** The name is taken by something this request did not create. */
export class VolumeAlreadyExists extends DriverError {
  readonly code = "VolumeAlreadyExists";
}

/** Refused because something depends on the volume (snapshots, an open device, an export). */
export class VolumeIsBusy extends DriverError {
  readonly code = "VolumeIsBusy";
  constructor(
    readonly volumeId: string,
    message: string,
    /** Ids of the snapshots that keep the volume busy, when that is the reason. */
    readonly snapshotIds: readonly string[] = [],
  ) {
    super(message);
  }
}

export class SnapshotIsBusy extends DriverError {
  readonly code = "SnapshotIsBusy";
  constructor(
    readonly snapshotId: string,
    message: string,
  ) {
    super(message);
  }
}

/** Not enough free capacity for the request. */
export class VolumeSizeExceedsAvailableQuota extends DriverError {
  readonly code = "VolumeSizeExceedsAvailableQuota";
}

/** No host of the backend passes the scheduler's filters; the message gives each host's reason. */
export class NoValidBackend extends DriverError {
  readonly code = "NoValidBackend";
}

export class ManageExistingInvalidReference extends DriverError {
  readonly code = "ManageExistingInvalidReference";
}

export class ManageExistingAlreadyManaged extends DriverError {
  readonly code = "ManageExistingAlreadyManaged";
}

export class ManageExistingVolumeTypeMismatch extends DriverError {
  readonly code = "ManageExistingVolumeTypeMismatch";
}

/** The image is malformed, lies about its format, or references other files. */
export class ImageUnacceptable extends DriverError {
  readonly code = "ImageUnacceptable";
}

/** The image's virtual size does not fit the volume. */
export class ImageTooBig extends DriverError {
  readonly code = "ImageTooBig";
}

export class ImageCopyFailure extends DriverError {
  readonly code = "ImageCopyFailure";
}

export class InvalidConnector extends DriverError {
  readonly code = "InvalidConnector";
}

/** A backend host cannot be reached; nothing is known to have changed. */
export class BackendUnavailable extends DriverError {
  readonly code = "BackendUnavailable";
  constructor(
    readonly host: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Any other backend failure; `cause` holds the command error with its stderr. */
export class VolumeBackendAPIException extends DriverError {
  readonly code = "VolumeBackendAPIException";
}

export function isDriverError(error: unknown): error is DriverError {
  return error instanceof DriverError;
}
