/** Thrown for a malformed command line; main prints it with the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "UsageError", enumerable: false });
  }
}
