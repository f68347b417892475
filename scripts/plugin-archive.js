#!/usr/bin/env node
"use strict";
// Packs the native provider as a self-contained Pulumi resource plugin:
// pulumi-resource-cinderblock-v<version>-<os>-<arch>.tar.gz holding the entry executable,
// PulumiPlugin.yaml, the built dist/, bin/, schema.json and the production node_modules, so
// `pulumi plugin install resource cinderblock <version> --file <archive>` gets a plugin that
// runs wherever it is unpacked. Run `npm run build` first (`npm run plugin:archive` does).
// Usage: node scripts/plugin-archive.js [--out <dir>]   (default: the package root)
const { execFileSync } = require("node:child_process");
const { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join, resolve } = require("node:path");
const { parseArgs } = require("node:util");

const root = join(__dirname, "..");
const ENTRY = "pulumi-resource-cinderblock";
// Pulumi names plugin archives with Go's names for the platform.
const GOOS = { linux: "linux", darwin: "darwin", win32: "windows" };
const GOARCH = { x64: "amd64", arm64: "arm64" };

function fail(message) {
  process.stderr.write(`plugin-archive: ${message}\n`);
  process.exit(1);
}

const { values } = parseArgs({ options: { out: { type: "string", default: root } } });
const manifest = require(join(root, "package.json"));
const os = GOOS[process.platform] ?? fail(`no Pulumi platform name for ${process.platform}`);
const arch = GOARCH[process.arch] ?? fail(`no Pulumi architecture name for ${process.arch}`);
if (!existsSync(join(root, "dist", "provider", "native", "main.js"))) fail("dist/provider/native/main.js is missing: run `npm run build` first");

const stage = mkdtempSync(join(tmpdir(), "cinderblock-plugin-"));
try {
  for (const path of ["bin", "dist", "schema.json", "LICENSE", "package-lock.json"]) cpSync(join(root, path), join(stage, path), { recursive: true });
  for (const path of [ENTRY, "PulumiPlugin.yaml"]) copyFileSync(join(root, "plugin", path), join(stage, path));
  chmodSync(join(stage, ENTRY), 0o755);
  // The same manifest (so the lockfile still matches it) with the plugin as `main`, which is
  // what the Node.js language host runs for PulumiPlugin.yaml; no scripts to run on install.
  const { scripts: _scripts, ...kept } = manifest;
  writeFileSync(join(stage, "package.json"), `${JSON.stringify({ ...kept, main: "dist/provider/native/main.js" }, null, 2)}\n`);
  // Install scripts stay off: ssh2's optional native crypto is not built, it uses its
  // JavaScript fallback, and the archive needs no compiler.
  execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: stage,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const archive = resolve(values.out, `${ENTRY}-v${manifest.version}-${os}-${arch}.tar.gz`);
  execFileSync("tar", ["-czf", archive, "-C", stage, "."], { stdio: "inherit" });
  process.stdout.write(`${archive}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
