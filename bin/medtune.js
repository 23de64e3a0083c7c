#!/usr/bin/env node
// medtune command-line entry: runs the compiled CLI (npm install builds dist/ through the prepare script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
const main = fileURLToPath(new URL("../dist/src/medtune.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("medtune: the compiled CLI is missing (dist/). Run `npm run build` in the medtune folder, then retry.\n");
  process.exit(2);
}
const { main: run } = await import(main);
process.exitCode = await run(process.argv.slice(2));
