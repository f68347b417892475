const Sequencer = require("@jest/test-sequencer").default;

/**
 * Unit tests first, then lab tests, each group in jest's own order: the lab boots in the
 * background meanwhile (test/lab/globalSetup.ts).
 */
class UnitTestsFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const isLab = (test) => test.context.config.displayName?.name === "lab";
    return [...sorted.filter((test) => !isLab(test)), ...sorted.filter(isLab)];
  }
}

module.exports = UnitTestsFirst;
