// cli: argument parsing and command wiring; the work is in recipes/.
export { runCli, CLI_COMMANDS } from "./main.ts";
export { commandHelp, parseCommandArgs, numberFlag, parseSetFlags, COMMON_FLAGS, type CommandSpec, type FlagSpec } from "./args.ts";
