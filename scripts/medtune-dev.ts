// Runs the CLI from source (through tsx) without a build: `node --import tsx scripts/medtune-dev.ts <args>`.
import { main } from "../src/medtune.ts";
process.exitCode = await main(process.argv.slice(2));
