#!/usr/bin/env node
// Runs the TypeScript sources directly through a pinned loader (tsx), so `gongkai` works right after
// `npm install` with no build step.
require('tsx/cjs/api').register();
const { buildProgram, runCli } = require('../cli/main.ts');
void runCli(buildProgram()).then((code) => {
  if (code !== 0) process.exitCode = code;
});
