/** What both ways of running the quickstart need: which backend, and the backends file the provider reads. */
export interface DemoTarget {
  backend: string;
  configPath: string;
  log: (line: string) => void;
}
