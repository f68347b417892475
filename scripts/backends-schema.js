#!/usr/bin/env node
"use strict";
// Writes the backends file's JSON Schema into the package after tsc has built dist/, so that
// editors can validate and complete a backends file that names it in "$schema".
const { mkdirSync, writeFileSync } = require("node:fs");
const { dirname, join } = require("node:path");

const { BACKENDS_SCHEMA_FILE, backendsJsonSchema } = require("../dist/cli/backendsSchema");
const target = join(__dirname, "..", BACKENDS_SCHEMA_FILE);
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(backendsJsonSchema(), null, 2)}\n`);
