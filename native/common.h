// Shared declarations of the thin libtorch binding. No model or algorithm lives here:
// only tensor handles, op calls, autograd, optimisers and generators.
#pragma once
// Node-API "experimental" mode makes V8 run finalizers during garbage collection
// instead of queueing them for the event loop. Without it, every tensor handle a
// synchronous training loop drops stays allocated until the loop yields to the event
// loop (measured: ~200 bytes per tensor, unbounded in a worker's step loop).
// binding.gyp pins NAPI_VERSION=8; experimental mode needs it unset.
#undef NAPI_VERSION
#ifndef NAPI_EXPERIMENTAL
#define NAPI_EXPERIMENTAL
#endif
#include <napi.h>
#include <torch/torch.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace medloop {

// Per-environment state (main thread and each worker thread get their own).
struct Instance {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference generatorCtor;
  // Deleted while the environment tears down, when the references go with it.
  ~Instance() {
    tensorCtor.SuppressDestruct();
    generatorCtor.SuppressDestruct();
  }
};

extern std::atomic<int64_t> liveTensors;
// Handles made and never disposed explicitly (a GC finalizer does not count as a dispose):
// unlike liveTensors it cannot change when V8 happens to collect, so leak checks are deterministic.
extern std::atomic<int64_t> undisposedTensors;

// A tensor handle. Wrapped with raw napi_wrap (no napi reference, unlike
// Napi::ObjectWrap) so that a dropped handle is freed entirely inside the GC's
// finalizer: nothing is left for the event loop to clean up.
class TensorWrap {
 public:
  static Napi::Function Define(Napi::Env env);
  static TensorWrap* Unwrap(Napi::Object obj);
  explicit TensorWrap(napi_env env) : env_(env) {}
  ~TensorWrap();

  void Set(Napi::Env env, torch::Tensor t);
  const torch::Tensor& Get() const;
  bool IsAlive() const { return alive_; }
  void Release();

 private:
  static napi_value Construct(napi_env env, napi_callback_info info);
  static void Finalize(node_api_basic_env env, void* data, void* hint);
  template <Napi::Value (TensorWrap::*M)(const Napi::CallbackInfo&)>
  static napi_value Method(napi_env env, napi_callback_info info);

  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Dtype(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value ToArray(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value ClearGrad(const Napi::CallbackInfo& info);
  Napi::Value Backward(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);

  torch::Tensor tensor_;
  bool alive_ = false;
  int64_t bytes_ = 0;
  napi_env env_ = nullptr;
};

class GeneratorWrap : public Napi::ObjectWrap<GeneratorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit GeneratorWrap(const Napi::CallbackInfo& info);
  at::Generator gen;

 private:
  Napi::Value GetState(const Napi::CallbackInfo& info);
  Napi::Value SetState(const Napi::CallbackInfo& info);
  Napi::Value Seed(const Napi::CallbackInfo& info);
};

// Argument access for op functions: typed, with errors that name the argument.
struct Args {
  const Napi::CallbackInfo& info;
  Napi::Env env;
  const char* op;
  Args(const Napi::CallbackInfo& i, const char* name) : info(i), env(i.Env()), op(name) {}
  size_t size() const { return info.Length(); }
  bool has(size_t i) const;
  bool isTensor(size_t i) const;
  torch::Tensor T(size_t i) const;
  c10::optional<torch::Tensor> OT(size_t i) const;
  std::vector<torch::Tensor> TL(size_t i) const;
  double D(size_t i) const;
  double D(size_t i, double def) const;
  int64_t I(size_t i) const;
  int64_t I(size_t i, int64_t def) const;
  bool B(size_t i, bool def) const;
  std::string S(size_t i) const;
  std::vector<int64_t> L(size_t i) const;
  c10::Scalar Sc(size_t i) const;
  c10::optional<at::Generator> G(size_t i) const;
  at::ScalarType Dt(size_t i, at::ScalarType def) const;
  torch::Device Dev(size_t i) const;
  [[noreturn]] void fail(size_t i, const std::string& what) const;
};

Instance* GetInstance(Napi::Env env);
Napi::Value Wrap(Napi::Env env, torch::Tensor t);
Napi::Value WrapList(Napi::Env env, const std::vector<torch::Tensor>& ts);
TensorWrap* UnwrapTensor(Napi::Env env, const Napi::Value& v);
at::ScalarType ParseDtype(Napi::Env env, const std::string& s);
std::string DtypeName(at::ScalarType t);
std::string CleanError(const c10::Error& e);

void RegisterOps(Napi::Env env, Napi::Object exports);
void RegisterOptim(Napi::Env env, Napi::Object exports);

}  // namespace medloop
