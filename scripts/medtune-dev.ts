// Runs the CLI from source (through tsx) without a build: `node --import tsx scripts/medtune-dev.ts <args>`.
import { runCli } from "../src/cli/main.ts";
process.exitCode = await runCli(process.argv.slice(2));
