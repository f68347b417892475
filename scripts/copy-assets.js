#!/usr/bin/env node
"use strict";
// tsc emits only JavaScript; files the code reads next to itself at run time (the session
// agent's Perl source, shell scripts) are copied from drivers/ to the same place under dist/.
const { copyFileSync, mkdirSync, readdirSync } = require("node:fs");
const { dirname, join, relative } = require("node:path");

const root = join(__dirname, "..");
const ASSET = /\.(pl|sh)$/;

function* assets(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* assets(path);
    else if (entry.isFile() && ASSET.test(entry.name)) yield path;
  }
}

for (const source of assets(join(root, "drivers"))) {
  const target = join(root, "dist", relative(root, source));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
}
