// Lab hosts run under software emulation (TCG) on CI: one LVM command takes about a second,
// and a scenario with thick copies several minutes; a hung test still fails, after 15 minutes.
jest.setTimeout(900_000);
