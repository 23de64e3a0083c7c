// Ctrl-C for long commands: the first one asks the run to stop between batches (a rerun resumes from the cache),
// a second one kills the process as usual.

/** An AbortSignal fired by the first Ctrl-C; call dispose() when the command ends. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const onInt = () => {
    process.stderr.write("\nmedtune: stopping after the current batch (Ctrl-C again to quit now; rerun the command to resume)\n");
    ctl.abort();
  };
  process.once("SIGINT", onInt);
  return { signal: ctl.signal, dispose: () => process.removeListener("SIGINT", onInt) };
}
