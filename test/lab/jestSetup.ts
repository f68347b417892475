import { labBooted } from "./labBoot";

// Lab hosts run under software emulation (TCG) on CI: one LVM command takes about a second,
// and a scenario with thick copies several minutes; a hung test still fails, after 15 minutes.
jest.setTimeout(900_000);

// The lab boots while the unit tests run (globalSetup.ts); an image build and two boots take
// a few minutes on a fresh machine.
beforeAll(() => labBooted(600_000), 600_000);
