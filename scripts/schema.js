#!/usr/bin/env node
"use strict";
// Writes schema.json from its one definition (provider/schema/) after tsc has built dist/;
// test/unit/sdk/schema.test.ts fails when the committed file differs from what this writes.
const { readFileSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const { schemaText } = require("../dist/provider/schema/generate");
const root = join(__dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
writeFileSync(join(root, "schema.json"), schemaText(manifest));
