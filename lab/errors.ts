/** A lab step failed; the message says why and what to do, `detail` holds logs (console tail). */
export class LabError extends Error {
  constructor(
    message: string,
    readonly detail?: string,
  ) {
    super(detail ? `${message}\n${detail}` : message);
    Object.defineProperty(this, "name", { value: "LabError", enumerable: false });
  }

  /** The one-line form, for the CLI without --verbose. */
  get shortMessage(): string {
    return this.message.split("\n")[0] ?? this.message;
  }
}
