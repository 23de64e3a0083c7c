// Configure-time BLAS detection for binding.gyp: prints one gyp list (space-separated) for the asked field.
// OpenBLAS through pkg-config on Linux (and other Unix), Accelerate on macOS; MEDTUNE_NO_BLAS=1 builds without.
// Usage (from binding.gyp): node blas-config.mjs kind|include_dirs|libraries|ldflags
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

function pkgConfig(args) {
  try {
    return execFileSync("pkg-config", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

function detect() {
  if (process.env.MEDTUNE_NO_BLAS === "1" || process.env.MEDTUNE_NO_BLAS === "true") return { kind: "none" };
  if (process.platform === "darwin") return { kind: "accelerate" };
  if (process.platform === "win32") return { kind: "none" };
  const cflags = pkgConfig(["--cflags", "openblas"]);
  const libs = pkgConfig(["--libs", "openblas"]);
  if (cflags === null || libs === null) return { kind: "none" };
  const includeDirs = cflags.split(/\s+/).filter((f) => f.startsWith("-I")).map((f) => f.slice(2));
  // pkg-config can exist without the headers (a broken or runtime-only install): then build without BLAS.
  const searched = [...includeDirs, "/usr/include", "/usr/local/include"];
  if (!searched.some((d) => existsSync(join(d, "cblas.h")))) return { kind: "none" };
  const libraries = libs.split(/\s+/).filter(Boolean);
  // System prefixes resolve through ld.so (and Debian's alternatives); other prefixes (Homebrew, conda) need an rpath.
  const rpaths = libraries
    .filter((f) => f.startsWith("-L") && !/^-L\/(usr\/)?lib(64)?\//.test(f))
    .map((f) => `-Wl,-rpath,${f.slice(2)}`);
  return { kind: "openblas", includeDirs, libraries, ldflags: rpaths };
}

const field = process.argv[2];
const d = detect();
const out = {
  kind: [d.kind],
  include_dirs: d.includeDirs ?? [],
  libraries: d.libraries ?? [],
  ldflags: d.ldflags ?? [],
}[field];
if (out === undefined) {
  process.stderr.write(`blas-config.mjs: unknown field ${JSON.stringify(field)}\n`);
  process.exit(1);
}
process.stdout.write(out.join(" ") + "\n");
