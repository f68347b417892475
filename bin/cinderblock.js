#!/usr/bin/env node
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const entry = join(__dirname, "..", "dist", "cli", "main.js");
if (!existsSync(entry)) {
  process.stderr.write("cinderblock: not built yet; run `npm run build` (or `bash scripts/setup.sh`) first\n");
  process.exit(1);
}
require(entry)
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
