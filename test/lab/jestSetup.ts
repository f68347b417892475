// Lab hosts run under software emulation (TCG) on CI: one LVM command takes about a second.
jest.setTimeout(300_000);
