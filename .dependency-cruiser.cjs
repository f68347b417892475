/**
 * The layering, as rules that fail the unit run (test/unit/architecture.test.ts).
 * drivers ← provider ← sdk; cli, demo, bench, lab and engine (the gRPC client that drives providers as the Pulumi engine does) sit on top.
 */
const own = "^(drivers|provider|sdk|cli|demo|bench|lab|engine)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A cycle (type-only ones included) means two modules are one; split out what they share.",
      severity: "error",
      from: { path: own },
      to: { circular: true },
    },
    {
      name: "drivers-know-nothing-above",
      comment: "Drivers are the Cinder layer: they know nothing of Pulumi, the CLI or the tools.",
      severity: "error",
      from: { path: "^drivers/" },
      to: { path: "^(provider|sdk|cli|demo|bench|lab|engine)/" },
    },
    {
      name: "lvm-core-knows-no-feature",
      comment:
        "The LVM driver's shared core (core/, model/, commands/) serves every capability and depends on none; " +
        "driver.ts and hostSetup.ts compose the capabilities (volumes, exports, images, manage, groups, doctor).",
      severity: "error",
      from: { path: "^drivers/lvm/(core|model|commands)/" },
      to: { path: "^drivers/lvm/(volumes|exports|images|manage|groups|doctor)/|^drivers/lvm/(driver|hostSetup)[.]ts$" },
    },
    {
      name: "drivers-know-no-pulumi",
      severity: "error",
      from: { path: "^drivers/" },
      to: { path: "node_modules/@pulumi/" },
    },
    {
      name: "provider-knows-no-ssh",
      comment: "The provider maps Pulumi calls onto driver calls; how a driver reaches a host is the driver's business.",
      severity: "error",
      from: { path: "^provider/" },
      to: { path: "^drivers/ssh/|node_modules/ssh2/" },
    },
    {
      name: "provider-is-not-a-tool",
      comment:
        "The provider serves Pulumi; it never depends on the SDK, the CLI or the tools that drive it " +
        "(except the SDK's plain public types, which the provider's outputs must fit).",
      severity: "error",
      from: { path: "^provider/" },
      to: { path: "^(sdk|cli|demo|bench|lab|engine)/", pathNot: "^sdk/types\\.ts$" },
    },
    {
      name: "sdk-stays-thin",
      comment: "The SDK's public types are its own: no driver types (and so no zod) in a program's compile.",
      severity: "error",
      from: { path: "^sdk/" },
      to: { path: "^(drivers|cli|demo|bench|lab|engine)/|node_modules/zod/" },
    },
    {
      name: "drivers-through-their-index",
      comment: "Outside drivers/, a driver module is reached through drivers/index.ts (or a folder's own index.ts).",
      severity: "error",
      from: { path: "^(provider|sdk|cli|demo|bench|lab|engine)/" },
      to: { path: "^drivers/", pathNot: "^drivers/(index|[^/]+/index)\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|test|examples)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["cjs", "es6"],
  },
};
