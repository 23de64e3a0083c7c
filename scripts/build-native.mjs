// Install-time build of the native kernels (native/binding.gyp -> native/build/Release/medtune_native.node).
// Never fails the install: on any error it prints one warning line and exits 0, and medtune then runs on the
// TypeScript reference kernels. Usage: node scripts/build-native.mjs  (the package's `install` script).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const nativeDir = resolve(dirname(fileURLToPath(import.meta.url)), "..", "native");

function warn(reason) {
  process.stderr.write(
    `medtune: native kernels could not be built (${reason}); using the TypeScript reference: install a C++ toolchain ` +
      `(and libopenblas-dev for the BLAS path) and run npm rebuild\n`,
  );
  process.exit(0);
}

// node-gyp: the copy npm runs scripts with, then one installed beside node's npm, then a local dependency.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  const prefix = dirname(dirname(process.execPath));
  candidates.push(join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  candidates.push(join(dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"));
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    /* not a local dependency */
  }
  return candidates.find((p) => existsSync(p)) ?? null;
}

if (process.env.MEDTUNE_SKIP_NATIVE === "1") {
  process.stderr.write("medtune: MEDTUNE_SKIP_NATIVE=1, native kernels not built; using the TypeScript reference\n");
  process.exit(0);
}
const nodeGyp = findNodeGyp();
if (nodeGyp === null) warn("node-gyp not found");
const args = [nodeGyp, "rebuild"];
// Use the headers installed with node when npm has no nodedir, so an offline machine needs no download.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, "include", "node", "common.gypi"))) {
  args.push(`--nodedir=${prefix}`);
}
const verbose = process.env.MEDTUNE_NATIVE_VERBOSE === "1";
const r = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: "utf8", stdio: verbose ? "inherit" : "pipe" });
if (r.error) warn(r.error.message);
if (r.status !== 0) {
  const lines = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n").map((l) => l.trim());
  const useful = lines.filter((l) => !l.startsWith("gyp ERR! stack"));
  // A compiler's `file:line: error: ...` says most; then any error line; then the exit status.
  const firstError = useful.find((l) => /\berror:/i.test(l)) ?? useful.find((l) => /\berror\b/i.test(l)) ?? `node-gyp exited ${r.status}`;
  warn(`${firstError.slice(0, 200)}; details: MEDTUNE_NATIVE_VERBOSE=1 node scripts/build-native.mjs`);
}
if (!existsSync(join(nativeDir, "build", "Release", "medtune_native.node"))) warn("node-gyp produced no medtune_native.node");
