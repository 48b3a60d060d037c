// Module entry: tensor/generator classes, op table, optimisers and process-wide settings.
#include "common.h"

#include <cstdio>
#include <mutex>
#include <set>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace medloop {

// libtorch's warnings (TORCH_WARN) go to stderr once per distinct message instead of
// on every call: a warning inside a training step would otherwise print thousands of
// times. The fork notice from libtorch's thread pool (printed in every child process
// spawned after a convolution) is dropped. MEDLOOP_TORCH_WARNINGS=all prints every
// warning, =none none.
class OnceWarningHandler : public c10::WarningHandler {
 public:
  void process(const c10::SourceLocation& loc, const std::string& msg, const bool verbatim) override {
    static const char* mode = std::getenv("MEDLOOP_TORCH_WARNINGS");
    std::string m = mode ? mode : "once";
    if (m == "none") return;
    if (msg.find("Leaking Caffe2 thread-pool after fork") != std::string::npos) return;
    if (m != "all") {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!seen_.insert(msg).second) return;
    }
    std::fprintf(stderr, "libtorch warning: %s (%s:%u)%s\n", msg.c_str(), loc.file, loc.line, m == "all" ? "" : " [shown once]");
  }

 private:
  std::mutex mutex_;
  std::set<std::string> seen_;
};

static void InstallWarningHandler() {
  static std::once_flag once;
  std::call_once(once, [] { c10::Warning::set_warning_handler(new OnceWarningHandler()); });
}

static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(info[0].ToBoolean().Value());
  return Napi::Boolean::New(info.Env(), prev);
}
static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled()); }
static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(static_cast<int>(info[0].ToNumber().Int32Value()));
  return info.Env().Undefined();
}
static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  torch::manual_seed(static_cast<uint64_t>(info[0].ToNumber().Int64Value()));
  return info.Env().Undefined();
}
static Napi::Value UndisposedTensors(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(undisposedTensors.load())); }
static Napi::Value LiveTensors(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(liveTensors.load())); }
static Napi::Value CudaAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), torch::cuda::is_available()); }
static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(torch::cuda::device_count()));
}
static Napi::Value Version(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), TORCH_VERSION); }
// The C heap as glibc sees it: bytes in live allocations (what a leak grows) apart from
// free bytes it keeps (what fragmentation grows; RSS counts both).
static Napi::Value HeapStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
  struct mallinfo2 mi = mallinfo2();
  o.Set("inUse", static_cast<double>(mi.uordblks + mi.hblkhd));
  o.Set("free", static_cast<double>(mi.fordblks));
  o.Set("mmapped", static_cast<double>(mi.hblkhd));
#endif
  return o;
}
// Hands free C-heap pages back to the OS (glibc keeps them after tensors are freed).
static Napi::Value TrimHeap(const Napi::CallbackInfo& info) {
#if defined(__GLIBC__)
  return Napi::Boolean::New(info.Env(), malloc_trim(0) != 0);
#else
  return Napi::Boolean::New(info.Env(), false);
#endif
}
static Napi::Value ParallelInfo(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), at::get_parallel_info()); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InstallWarningHandler();
  auto* inst = new Instance();
  auto tensorCtor = TensorWrap::Define(env);
  auto genCtor = GeneratorWrap::Define(env);
  inst->tensorCtor = Napi::Persistent(tensorCtor);
  inst->generatorCtor = Napi::Persistent(genCtor);
  env.SetInstanceData<Instance>(inst);
  exports.Set("Tensor", tensorCtor);
  exports.Set("Generator", genCtor);
  RegisterOps(env, exports);
  RegisterOptim(env, exports);
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeed));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors));
  exports.Set("undisposedTensors", Napi::Function::New(env, UndisposedTensors));
  exports.Set("cudaAvailable", Napi::Function::New(env, CudaAvailable));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("version", Napi::Function::New(env, Version));
  exports.Set("parallelInfo", Napi::Function::New(env, ParallelInfo));
  exports.Set("heapStats", Napi::Function::New(env, HeapStats));
  exports.Set("trimHeap", Napi::Function::New(env, TrimHeap));
  return exports;
}

}  // namespace medloop

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return medloop::Init(env, exports); }

NODE_API_MODULE(medloop_torch, InitModule)
