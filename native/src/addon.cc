// The medtune_native addon (node-addon-api): zero-copy GEMM on Float32Array views (gemmBlas when built with a
// system BLAS, gemmSimd always), thread control and build info. Every shape, stride and length is checked here
// before any pointer is touched, so a wrong call throws instead of reading or writing out of bounds.
#include <napi.h>

#include <cmath>
#include <cstdlib>
#include <mutex>
#include <string>

#include "gemm.h"
#include "thread-pool.h"

namespace {

using medtune::GemmArgs;

constexpr double kMaxDim = 2147483647.0;  // BLAS takes int dimensions and strides

double integerArg(const Napi::CallbackInfo& info, size_t i, const char* name, double min) {
  const Napi::Value v = info[i];
  if (!v.IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("gemm: ") + name + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= min && d <= kMaxDim && std::floor(d) == d)) {
    throw Napi::RangeError::New(info.Env(), std::string("gemm: ") + name + " must be an integer in [" +
                                                std::to_string(static_cast<int>(min)) + ", 2^31-1], got " +
                                                std::to_string(d));
  }
  return d;
}

bool boolArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsBoolean()) throw Napi::TypeError::New(info.Env(), std::string("gemm: ") + name + " must be a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

float floatArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string("gemm: ") + name + " must be a number");
  return static_cast<float>(info[i].As<Napi::Number>().DoubleValue());
}

// A Float32Array's data pointer (already past its byteOffset, so subarray views work) and element count.
float* floatArray(const Napi::CallbackInfo& info, size_t i, const char* name, size_t* length) {
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(info.Env(), std::string("gemm: ") + name + " must be a Float32Array on the native path");
  }
  Napi::Float32Array a = v.As<Napi::Float32Array>();
  *length = a.ElementLength();
  return a.Data();
}

// A rows×cols row-major matrix with row stride ld needs (rows-1)·ld + cols elements (none when empty).
void checkMatrix(Napi::Env env, const char* name, const char* ldName, double rows, double cols, double ld,
                 size_t length, const std::string& shape) {
  if (ld < std::max(1.0, cols)) {
    throw Napi::RangeError::New(env, std::string("gemm: ") + ldName + "=" + std::to_string(static_cast<int64_t>(ld)) +
                                         " is less than the row length " + std::to_string(static_cast<int64_t>(cols)) +
                                         " of " + name + " (" + shape + ")");
  }
  const double need = rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols;
  if (static_cast<double>(length) < need) {
    throw Napi::TypeError::New(env, std::string("gemm: ") + name + " has " + std::to_string(length) +
                                        " elements but needs " + std::to_string(static_cast<int64_t>(need)) + " (" +
                                        shape + ")");
  }
}

GemmArgs parseGemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 13) {
    throw Napi::TypeError::New(env, "gemm: expected (transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)");
  }
  GemmArgs g;
  g.transA = boolArg(info, 0, "transA");
  g.transB = boolArg(info, 1, "transB");
  const double M = integerArg(info, 2, "M", 0), N = integerArg(info, 3, "N", 0), K = integerArg(info, 4, "K", 0);
  g.alpha = floatArg(info, 5, "alpha");
  size_t lenA = 0, lenB = 0, lenC = 0;
  g.A = floatArray(info, 6, "A", &lenA);
  const double lda = integerArg(info, 7, "lda", 1);
  g.B = floatArray(info, 8, "B", &lenB);
  const double ldb = integerArg(info, 9, "ldb", 1);
  g.beta = floatArg(info, 10, "beta");
  g.C = floatArray(info, 11, "C", &lenC);
  const double ldc = integerArg(info, 12, "ldc", 1);
  auto i = [](double d) { return std::to_string(static_cast<int64_t>(d)); };
  const std::string dims = "M=" + i(M) + ", N=" + i(N) + ", K=" + i(K);
  checkMatrix(env, "A", "lda", g.transA ? K : M, g.transA ? M : K, lda, lenA,
              std::string(g.transA ? "transA, A is K×M" : "A is M×K") + ", " + dims + ", lda=" + i(lda));
  checkMatrix(env, "B", "ldb", g.transB ? N : K, g.transB ? K : N, ldb, lenB,
              std::string(g.transB ? "transB, B is N×K" : "B is K×N") + ", " + dims + ", ldb=" + i(ldb));
  checkMatrix(env, "C", "ldc", M, N, ldc, lenC, "C is M×N, " + dims + ", ldc=" + i(ldc));
  g.M = static_cast<int64_t>(M);
  g.N = static_cast<int64_t>(N);
  g.K = static_cast<int64_t>(K);
  g.lda = static_cast<int64_t>(lda);
  g.ldb = static_cast<int64_t>(ldb);
  g.ldc = static_cast<int64_t>(ldc);
  return g;
}

std::string defaultVariant;  // "" = best this CPU runs; MEDTUNE_SIMD may pin one

Napi::Value GemmSimd(const Napi::CallbackInfo& info) {
  const GemmArgs g = parseGemm(info);
  std::string variant = defaultVariant;
  if (info.Length() > 13 && !info[13].IsUndefined()) {
    if (!info[13].IsString()) throw Napi::TypeError::New(info.Env(), "gemmSimd: variant must be a string");
    variant = info[13].As<Napi::String>().Utf8Value();
  }
  try {
    if (!medtune::gemmSimd(g, variant)) {
      throw Napi::Error::New(info.Env(), "gemmSimd: SIMD variant \"" + variant + "\" is not available on this CPU");
    }
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string("gemmSimd: ") + e.what());
  }
  return info.Env().Undefined();
}

Napi::Value GemmBlas(const Napi::CallbackInfo& info) {
  medtune::gemmBlas(parseGemm(info));
  return info.Env().Undefined();
}

void applyThreads(int n) {
  medtune::ThreadPool::get().setThreads(n);
  medtune::setBlasThreads(n);
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(info.Env(), "setThreads: n must be a number");
  const double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 0 && n <= 4096 && std::floor(n) == n)) {
    throw Napi::RangeError::New(info.Env(), "setThreads: n must be an integer in [0, 4096] (0 = one per CPU)");
  }
  applyThreads(n == 0 ? medtune::availableCpus() : static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), medtune::ThreadPool::get().threads());
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const std::string blas = medtune::blasName();
  o.Set("blas", blas.empty() ? env.Null() : Napi::String::New(env, blas));
  o.Set("blasConfig", Napi::String::New(env, medtune::blasConfig()));
  const auto variants = medtune::simdVariants();
  Napi::Array arr = Napi::Array::New(env, variants.size());
  for (size_t i = 0; i < variants.size(); i++) arr.Set(static_cast<uint32_t>(i), variants[i]);
  o.Set("simdVariants", arr);
  o.Set("simd", Napi::String::New(env, defaultVariant.empty() ? variants.front() : defaultVariant));
  o.Set("threads", Napi::Number::New(env, medtune::ThreadPool::get().threads()));
  o.Set("cpus", Napi::Number::New(env, medtune::availableCpus()));
  o.Set("lastSimdThreads", Napi::Number::New(env, medtune::lastSimdTasks()));
  return o;
}

// Once per process: MEDTUNE_THREADS (else one thread per available CPU) for our pool and OpenBLAS alike;
// MEDTUNE_SIMD pins a variant (e.g. avx2) when this CPU runs it.
void configure() {
  int n = medtune::availableCpus();
  if (const char* s = std::getenv("MEDTUNE_THREADS")) {
    const int v = std::atoi(s);
    if (v > 0) n = v;
  }
  applyThreads(n);
  if (const char* s = std::getenv("MEDTUNE_SIMD")) {
    for (const auto& v : medtune::simdVariants())
      if (v == s) defaultVariant = v;
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  static std::once_flag once;  // worker threads load the addon again
  std::call_once(once, configure);
  exports.Set("gemmSimd", Napi::Function::New(env, GemmSimd, "gemmSimd"));
  if (*medtune::blasName() != '\0') exports.Set("gemmBlas", Napi::Function::New(env, GemmBlas, "gemmBlas"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads, "getThreads"));
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  return exports;
}

}  // namespace

NODE_API_MODULE(medtune_native, Init)
