// The `medtune` command: finds the command by its words, prints help, and turns errors into one line (what, where,
// how to fix) with a non-zero exit; stack traces only with --debug.
import { errorMessage, isMedtuneError, medtuneVersion, setLogLevel } from "../core/index.ts";
import { commandHelp, parseCommandArgs, type CommandSpec } from "./args.ts";
import { dataPrepare, dataInspect, dataFormats, runCommand } from "./data-commands.ts";
import { evalCommand, compareCommand, selectCommand } from "./eval-commands.ts";
import { trainCommand } from "./train-command.ts";
import { redteamCommand, gateCommand } from "./safety-commands.ts";

/** The commands defined in cli/, in help order (src/medtune.ts adds the server's). */
export const CLI_COMMANDS: CommandSpec[] = [runCommand, dataPrepare, dataInspect, dataFormats, trainCommand, evalCommand, compareCommand, selectCommand, redteamCommand, gateCommand];

function topHelp(COMMANDS: CommandSpec[]): string {
  const width = Math.max(...COMMANDS.map((c) => c.words.join(" ").length)) + 2;
  return [
    "medtune: make open LLMs more accurate and reliable at medical question answering, and prove it.",
    "",
    "usage: medtune <command> [options]      (medtune <command> --help for its options)",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.words.join(" ").padEnd(width)}${c.summary}`),
    "",
    "Educational and research software: not for clinical decision making.",
    "",
  ].join("\n");
}

function findCommand(COMMANDS: CommandSpec[], argv: string[]): { cmd: CommandSpec; rest: string[] } | null {
  let best: { cmd: CommandSpec; rest: string[] } | null = null;
  for (const cmd of COMMANDS) {
    const n = cmd.words.length;
    if (argv.length >= n && cmd.words.every((w, i) => argv[i] === w) && (!best || n > best.cmd.words.length)) best = { cmd, rest: argv.slice(n) };
  }
  return best;
}

/** Runs the CLI with arguments (without node and script) over a command table; resolves to the exit code. */
export async function runCli(argv: string[], COMMANDS: CommandSpec[] = CLI_COMMANDS): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      process.stdout.write(topHelp(COMMANDS));
      return 0;
    }
    if (argv[0] === "--version" || argv[0] === "-v") {
      process.stdout.write(medtuneVersion() + "\n");
      return 0;
    }
    const found = findCommand(COMMANDS, argv);
    if (!found) {
      // A group word alone (`medtune data`) lists its commands.
      const group = COMMANDS.filter((c) => c.words[0] === argv[0]);
      if (group.length > 0 && (argv.length === 1 || argv[1] === "--help" || argv[1] === "-h")) {
        process.stdout.write(group.map((c) => `  medtune ${c.words.join(" ")}: ${c.summary}`).join("\n") + "\n");
        return 0;
      }
      process.stderr.write(`medtune: unknown command "${argv.filter((a) => !a.startsWith("-")).slice(0, 2).join(" ")}": run medtune --help for the list\n`);
      return 2;
    }
    const { cmd, rest } = found;
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    const { flags, positionals } = parseCommandArgs(cmd, rest);
    if (flags.quiet) setLogLevel("warn");
    return await cmd.run(flags, positionals);
  } catch (e) {
    if (debug) process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
    if (isMedtuneError(e)) {
      process.stderr.write(`medtune: error: ${errorMessage(e)}\n`);
      return e.code === "cli.usage" ? 2 : 1;
    }
    process.stderr.write(`medtune: internal error: ${errorMessage(e)}${debug ? "" : " (rerun with --debug for the stack trace, and please report it)"}\n`);
    return 70;
  }
}
