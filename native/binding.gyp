# medtune_native: the engine's native kernels (node-addon-api). BLAS is detected at configure time by
# blas-config.mjs (OpenBLAS via pkg-config, Accelerate on macOS; MEDTUNE_NO_BLAS=1 builds without it).
# The SIMD kernels use function-level target attributes with run-time CPU detection, never -march=native.
{
  "variables": {
    "medtune_blas%": "<!(node blas-config.mjs kind)",
  },
  "targets": [
    {
      "target_name": "medtune_native",
      "sources": [
        "src/addon.cc",
        "src/gemm-blas.cc",
        "src/gemm-simd.cc",
        "src/thread-pool.cc",
        "src/ukernels.cc",
      ],
      # node-addon-api with C++ exceptions (what its node_addon_api_except target sets, without the extra makefiles
      # that target writes into native/node_modules).
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=gnu++17", "-Wall", "-Wextra"],
      "ldflags": ["-pthread"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
        "CLANG_CXX_LIBRARY": "libc++",
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "GCC_OPTIMIZATION_LEVEL": "3",
        "MACOSX_DEPLOYMENT_TARGET": "11.0",
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17", "/O2"] },
      },
      "conditions": [
        ["OS=='win'", { "defines": ["_HAS_EXCEPTIONS=1"] }],
        ["medtune_blas=='openblas'", {
          "defines": ["MEDTUNE_HAVE_BLAS", "MEDTUNE_BLAS_OPENBLAS"],
          "include_dirs": ["<!@(node blas-config.mjs include_dirs)"],
          "libraries": ["<!@(node blas-config.mjs libraries)"],
          "ldflags": ["<!@(node blas-config.mjs ldflags)"],
        }],
        ["medtune_blas=='accelerate'", {
          # ACCELERATE_NEW_LAPACK: the non-deprecated CBLAS header of macOS 13.3+ SDKs (older SDKs ignore it).
          "defines": ["MEDTUNE_HAVE_BLAS", "MEDTUNE_BLAS_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "xcode_settings": { "OTHER_LDFLAGS": ["-framework", "Accelerate"] },
        }],
      ],
    },
  ],
}
