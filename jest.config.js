/** Two projects: fast unit tests (no lab), and lab tests against real LVM hosts (QEMU guests). */
const tsJest = ["ts-jest", { tsconfig: "test/tsconfig.json" }];

/** @type {import('jest').Config} */
module.exports = {
  testSequencer: "<rootDir>/test/sequencer.js",
  projects: [
    {
      displayName: "unit",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
    },
    {
      displayName: "lab",
      testMatch: ["<rootDir>/test/lab/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      testEnvironment: "node",
      globalSetup: "<rootDir>/test/lab/globalSetup.ts",
      globalTeardown: "<rootDir>/test/lab/globalTeardown.ts",
      setupFilesAfterEnv: ["<rootDir>/test/lab/jestSetup.ts"],
      slowTestThreshold: 60,
    },
  ],
};
