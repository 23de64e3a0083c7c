// The `medtune` program: the CLI's commands plus `serve` from the server layer (cli and server are siblings, so
// they meet here, above both).
import { runCli, CLI_COMMANDS, type CommandSpec } from "./cli/index.ts";
import { serveCommand } from "./server/index.ts";

/** Every command of the `medtune` program, in help order. */
export const COMMANDS: CommandSpec[] = [...CLI_COMMANDS, serveCommand as unknown as CommandSpec];

/** Runs `medtune` with arguments (without node and script); resolves to the exit code. */
export function main(argv: string[]): Promise<number> {
  return runCli(argv, COMMANDS);
}
