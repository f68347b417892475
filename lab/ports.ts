import { createServer } from "node:net";

/** A loopback TCP port that was free a moment ago (QEMU reports a clash, and the lab retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** `preferred` when it can still be bound on loopback (a restarted host keeps its ports), else any free port. */
export async function portOr(preferred: number | undefined): Promise<number> {
  if (preferred === undefined) return freePort();
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(preferred, "127.0.0.1", () => server.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}
