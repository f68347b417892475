import { operationStart, tick } from "./operation";

interface Read<T> {
  /** Clock tick when the read went to the host; undefined while it waits for the one before it. */
  startedAt: number | undefined;
  /** The write generation at that moment. */
  generation: number;
  failed: boolean;
  result: Promise<T>;
}

/**
 * One host's report, read at most once at a time and shared (single-flight), never stale:
 *
 * - a read serves an operation only if it went to the host after the operation began, so a
 *   change made outside this process is seen by every operation that starts after it;
 * - a write by this process (any command that is not the report) makes every read that started
 *   before the write ended unusable;
 * - a read starts one turn of the event loop after it is asked for, and everyone asking in
 *   that turn shares it;
 * - while one read is in flight, callers that cannot use it wait for the next one, which starts
 *   when it ends: however many operations ask at once, at most two reads go to the host.
 */
export class SharedRead<T> {
  private generation = 0;
  private latest: Read<T> | undefined;

  constructor(private readonly load: () => Promise<T>) {}

  get(): Promise<T> {
    const since = operationStart();
    const latest = this.latest;
    if (latest && this.usable(latest, since)) return latest.result;
    const inFlight = latest && latest.startedAt !== undefined ? latest.result : undefined;
    const read: Read<T> = { startedAt: undefined, generation: 0, failed: false, result: Promise.resolve(undefined as never) };
    const start = (): Promise<T> => {
      read.startedAt = tick();
      read.generation = this.generation;
      return this.load();
    };
    // Deferred by one turn of the event loop, so that operations asking at the same moment share it.
    const turn = inFlight ? inFlight.then(nextTurn, nextTurn) : nextTurn();
    read.result = turn.then(start).catch((error: unknown) => {
      read.failed = true;
      throw error;
    });
    this.latest = read;
    return read.result;
  }

  /** Reads that started before now are not used afterwards (the caller has just come to hold a host lock, say). */
  invalidate(): void {
    this.generation++;
  }

  /** Runs a write; reads that started before it ends are not used afterwards. */
  async write<R>(work: () => Promise<R>): Promise<R> {
    this.generation++;
    try {
      return await work();
    } finally {
      this.generation++;
    }
  }

  private usable(read: Read<T>, since: number): boolean {
    if (read.failed) return false;
    if (read.startedAt === undefined) return true; // It will start after this caller began.
    return read.startedAt > since && read.generation === this.generation;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
