// Tensor and generator handles, and typed argument access for ops.
#include <ATen/CPUGeneratorImpl.h>
#include <cmath>
#include <cstring>

#include "common.h"

namespace medloop {

std::atomic<int64_t> liveTensors{0};
std::atomic<int64_t> undisposedTensors{0};

Instance* GetInstance(Napi::Env env) { return env.GetInstanceData<Instance>(); }

std::string CleanError(const c10::Error& e) {
  std::string msg = e.what_without_backtrace();
  auto nl = msg.find("\nException raised from");
  if (nl != std::string::npos) msg = msg.substr(0, nl);
  return msg;
}

static const std::pair<const char*, at::ScalarType> kDtypes[] = {
    {"float32", at::kFloat}, {"float64", at::kDouble}, {"float16", at::kHalf}, {"bfloat16", at::kBFloat16},
    {"int64", at::kLong},    {"int32", at::kInt},      {"uint8", at::kByte},   {"bool", at::kBool},
};

at::ScalarType ParseDtype(Napi::Env env, const std::string& s) {
  for (auto& [name, t] : kDtypes)
    if (s == name) return t;
  throw Napi::TypeError::New(env, "unknown dtype '" + s + "' (use float32, float64, float16, bfloat16, int64, int32, uint8 or bool)");
}

std::string DtypeName(at::ScalarType t) {
  for (auto& [name, st] : kDtypes)
    if (st == t) return name;
  return c10::toString(t);
}

// ---------------------------------------------------------------- TensorWrap

// Native memory is reported to V8 so its GC sees it, but in batches: a report on
// every op makes V8 start collections mid-forward (measured: +15% forward time).
// Each environment lives on one thread, so a thread-local tally is exact per env.
static thread_local int64_t pendingExternal = 0;
static constexpr int64_t kReportBatch = 32LL << 20;

// Only ever called from JS-driven code (a new tensor): finalizers run inside V8's
// GC, where adjusting external memory would re-enter the collector (V8 aborts with
// "Check failed: marking_done_"), so frees are only tallied and reported here later.
static void ReportExternal(napi_env env, int64_t delta) {
  pendingExternal += delta;
  if (pendingExternal >= kReportBatch || pendingExternal <= -kReportBatch) {
    int64_t ignored;
    napi_adjust_external_memory(env, pendingExternal, &ignored);
    pendingExternal = 0;
  }
}

Napi::Function TensorWrap::Define(Napi::Env env) {
  auto method = [](const char* name, napi_callback cb) {
    napi_property_descriptor d{};
    d.utf8name = name;
    d.method = cb;
    d.attributes = static_cast<napi_property_attributes>(napi_writable | napi_configurable);
    return d;
  };
  const napi_property_descriptor props[] = {
      method("shape", Method<&TensorWrap::Shape>),
      method("dtype", Method<&TensorWrap::Dtype>),
      method("device", Method<&TensorWrap::Device>),
      method("numel", Method<&TensorWrap::Numel>),
      method("toArray", Method<&TensorWrap::ToArray>),
      method("item", Method<&TensorWrap::Item>),
      method("dispose", Method<&TensorWrap::Dispose>),
      method("isDisposed", Method<&TensorWrap::IsDisposed>),
      method("requiresGrad", Method<&TensorWrap::RequiresGrad>),
      method("setRequiresGrad", Method<&TensorWrap::SetRequiresGrad>),
      method("grad", Method<&TensorWrap::Grad>),
      method("clearGrad", Method<&TensorWrap::ClearGrad>),
      method("backward", Method<&TensorWrap::Backward>),
      method("isLeaf", Method<&TensorWrap::IsLeaf>),
  };
  napi_value ctor;
  NAPI_THROW_IF_FAILED(env, napi_define_class(env, "NativeTensor", NAPI_AUTO_LENGTH, Construct, nullptr, sizeof(props) / sizeof(props[0]), props, &ctor),
                       Napi::Function());
  return Napi::Function(env, ctor);
}

napi_value TensorWrap::Construct(napi_env env, napi_callback_info info) {
  napi_value self;
  if (napi_get_cb_info(env, info, nullptr, nullptr, &self, nullptr) != napi_ok) return nullptr;
  auto* w = new TensorWrap(env);
  // No result reference: V8 owns the link and the finalizer frees `w` during GC.
  if (napi_wrap(env, self, w, Finalize, nullptr, nullptr) != napi_ok) {
    delete w;
    napi_throw_error(env, nullptr, "NativeTensor: cannot wrap");
    return nullptr;
  }
  return self;
}

void TensorWrap::Finalize(node_api_basic_env, void* data, void*) { delete static_cast<TensorWrap*>(data); }

template <Napi::Value (TensorWrap::*M)(const Napi::CallbackInfo&)>
napi_value TensorWrap::Method(napi_env env, napi_callback_info cbinfo) {
  Napi::CallbackInfo info(env, cbinfo);
  try {
    void* p = nullptr;
    if (napi_unwrap(env, info.This(), &p) != napi_ok || p == nullptr) throw Napi::TypeError::New(env, "not a tensor handle");
    return (static_cast<TensorWrap*>(p)->*M)(info);
  } catch (const Napi::Error& e) {
    e.ThrowAsJavaScriptException();
  } catch (const std::exception& e) {
    Napi::Error::New(env, e.what()).ThrowAsJavaScriptException();
  }
  return nullptr;
}

TensorWrap* TensorWrap::Unwrap(Napi::Object obj) {
  void* p = nullptr;
  if (napi_unwrap(obj.Env(), obj, &p) != napi_ok || p == nullptr) throw Napi::TypeError::New(obj.Env(), "expected a tensor");
  return static_cast<TensorWrap*>(p);
}

TensorWrap::~TensorWrap() { Release(); }

void TensorWrap::Set(Napi::Env env, torch::Tensor t) {
  if (!alive_) undisposedTensors++;  // a re-set handle stays the same undisposed tensor
  Release();
  tensor_ = std::move(t);
  alive_ = true;
  liveTensors++;
  // Views over-report their storage; the figure is a GC pressure hint, released exactly as added.
  bytes_ = (tensor_.defined() && tensor_.device().is_cpu()) ? static_cast<int64_t>(tensor_.nbytes()) : 0;
  if (bytes_ > 0) ReportExternal(env, bytes_);
}

void TensorWrap::Release() {
  if (!alive_) return;
  alive_ = false;
  liveTensors--;
  tensor_ = torch::Tensor();
  pendingExternal -= bytes_;  // reported by the next ReportExternal: this may run inside GC
  bytes_ = 0;
}

const torch::Tensor& TensorWrap::Get() const {
  if (!alive_) throw Napi::Error::New(Napi::Env(env_), "tensor used after dispose()");
  return tensor_;
}

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  auto& t = Get();
  auto arr = Napi::Array::New(info.Env(), t.dim());
  for (int64_t i = 0; i < t.dim(); i++) arr.Set(static_cast<uint32_t>(i), Napi::Number::New(info.Env(), static_cast<double>(t.size(i))));
  return arr;
}
Napi::Value TensorWrap::Dtype(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), DtypeName(Get().scalar_type())); }
Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), Get().device().str()); }
Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(Get().numel())); }

Napi::Value TensorWrap::ToArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    torch::Tensor t = Get().detach().to(torch::kCPU).contiguous();
    auto st = t.scalar_type();
    if (st == at::kHalf || st == at::kBFloat16) t = t.to(at::kFloat), st = at::kFloat;
    size_t n = static_cast<size_t>(t.numel());
    size_t bytes = static_cast<size_t>(t.nbytes());
    auto buf = Napi::ArrayBuffer::New(env, bytes);
    if (bytes > 0) std::memcpy(buf.Data(), t.data_ptr(), bytes);
    switch (st) {
      case at::kFloat: return Napi::Float32Array::New(env, n, buf, 0);
      case at::kDouble: return Napi::Float64Array::New(env, n, buf, 0);
      case at::kLong: return Napi::BigInt64Array::New(env, n, buf, 0);
      case at::kInt: return Napi::Int32Array::New(env, n, buf, 0);
      case at::kByte:
      case at::kBool: return Napi::Uint8Array::New(env, n, buf, 0);
      default: throw Napi::TypeError::New(env, "toArray: unsupported dtype " + DtypeName(st));
    }
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, "toArray: " + CleanError(e));
  }
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  try {
    return Napi::Number::New(info.Env(), Get().item<double>());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), "item: " + CleanError(e));
  }
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  if (alive_) undisposedTensors--;  // only an explicit dispose: a GC finalizer leaves the count as it was
  Release();
  return info.Env().Undefined();
}
Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !alive_); }
Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Get().requires_grad()); }
Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  try {
    tensor_ = Get();
    tensor_.set_requires_grad(info[0].ToBoolean().Value());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), "setRequiresGrad: " + CleanError(e));
  }
  return info.Env().Undefined();
}
Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  auto g = Get().grad();
  if (!g.defined()) return info.Env().Null();
  return Wrap(info.Env(), g);
}
Napi::Value TensorWrap::ClearGrad(const Napi::CallbackInfo& info) {
  auto t = Get();
  if (t.grad().defined()) t.mutable_grad().reset();
  return info.Env().Undefined();
}
Napi::Value TensorWrap::Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    torch::Tensor grad;
    if (info.Length() > 0 && !info[0].IsUndefined() && !info[0].IsNull()) grad = UnwrapTensor(env, info[0])->Get();
    bool retain = info.Length() > 1 && info[1].ToBoolean().Value();
    Get().backward(grad, retain);
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, "backward: " + CleanError(e));
  }
  return env.Undefined();
}
Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Get().is_leaf()); }

Napi::Value Wrap(Napi::Env env, torch::Tensor t) {
  Napi::Object obj = GetInstance(env)->tensorCtor.New({});
  TensorWrap::Unwrap(obj)->Set(env, std::move(t));
  return obj;
}

Napi::Value WrapList(Napi::Env env, const std::vector<torch::Tensor>& ts) {
  auto arr = Napi::Array::New(env, ts.size());
  for (size_t i = 0; i < ts.size(); i++) arr.Set(static_cast<uint32_t>(i), Wrap(env, ts[i]));
  return arr;
}

TensorWrap* UnwrapTensor(Napi::Env env, const Napi::Value& v) {
  if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(GetInstance(env)->tensorCtor.Value()))
    throw Napi::TypeError::New(env, "expected a tensor");
  return TensorWrap::Unwrap(v.As<Napi::Object>());
}

// ---------------------------------------------------------------- GeneratorWrap

Napi::Function GeneratorWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeGenerator",
                     {InstanceMethod("getState", &GeneratorWrap::GetState), InstanceMethod("setState", &GeneratorWrap::SetState),
                      InstanceMethod("seed", &GeneratorWrap::Seed)});
}

GeneratorWrap::GeneratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GeneratorWrap>(info) {
  uint64_t seed = 0;
  if (info.Length() > 0) {
    if (info[0].IsBigInt()) {
      bool lossless;
      seed = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    } else {
      seed = static_cast<uint64_t>(info[0].ToNumber().Int64Value());
    }
  }
  gen = at::detail::createCPUGenerator(seed);
}

// The state is a uint8 tensor: saved with checkpoints so a resumed run draws the same noise.
Napi::Value GeneratorWrap::GetState(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  return Wrap(info.Env(), gen.get_state());
}
Napi::Value GeneratorWrap::SetState(const Napi::CallbackInfo& info) {
  try {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(UnwrapTensor(info.Env(), info[0])->Get());
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), "generator setState: " + CleanError(e));
  }
  return info.Env().Undefined();
}
Napi::Value GeneratorWrap::Seed(const Napi::CallbackInfo& info) {
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_current_seed(static_cast<uint64_t>(info[0].ToNumber().Int64Value()));
  return info.Env().Undefined();
}

// ---------------------------------------------------------------- Args

void Args::fail(size_t i, const std::string& what) const {
  throw Napi::TypeError::New(env, std::string(op) + ": argument " + std::to_string(i) + " " + what);
}
bool Args::has(size_t i) const { return i < info.Length() && !info[i].IsUndefined() && !info[i].IsNull(); }
bool Args::isTensor(size_t i) const {
  return has(i) && info[i].IsObject() && info[i].As<Napi::Object>().InstanceOf(GetInstance(env)->tensorCtor.Value());
}
// A disposed handle is caught here so the error names the op and the argument.
static const torch::Tensor& Live(const Args& a, TensorWrap* w, const std::string& where) {
  if (!w->IsAlive()) throw Napi::Error::New(a.env, std::string(a.op) + ": " + where + " is a tensor used after dispose()");
  return w->Get();
}
torch::Tensor Args::T(size_t i) const {
  if (!isTensor(i)) fail(i, "must be a tensor");
  return Live(*this, TensorWrap::Unwrap(info[i].As<Napi::Object>()), "argument " + std::to_string(i));
}
c10::optional<torch::Tensor> Args::OT(size_t i) const {
  if (!has(i)) return c10::nullopt;
  return T(i);
}
std::vector<torch::Tensor> Args::TL(size_t i) const {
  if (!has(i) || !info[i].IsArray()) fail(i, "must be an array of tensors");
  auto arr = info[i].As<Napi::Array>();
  std::vector<torch::Tensor> out;
  out.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    auto v = arr.Get(k);
    if (!v.IsObject() || !v.As<Napi::Object>().InstanceOf(GetInstance(env)->tensorCtor.Value()))
      fail(i, "must be an array of tensors (element " + std::to_string(k) + " is not a tensor)");
    out.push_back(Live(*this, TensorWrap::Unwrap(v.As<Napi::Object>()), "argument " + std::to_string(i) + "[" + std::to_string(k) + "]"));
  }
  return out;
}
double Args::D(size_t i) const {
  if (!has(i) || !info[i].IsNumber()) fail(i, "must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}
double Args::D(size_t i, double def) const { return has(i) ? D(i) : def; }
int64_t Args::I(size_t i) const {
  if (!has(i) || !info[i].IsNumber()) fail(i, "must be an integer");
  return info[i].As<Napi::Number>().Int64Value();
}
int64_t Args::I(size_t i, int64_t def) const { return has(i) ? I(i) : def; }
bool Args::B(size_t i, bool def) const { return has(i) ? info[i].ToBoolean().Value() : def; }
std::string Args::S(size_t i) const {
  if (!has(i) || !info[i].IsString()) fail(i, "must be a string");
  return info[i].As<Napi::String>().Utf8Value();
}
std::vector<int64_t> Args::L(size_t i) const {
  if (!has(i)) fail(i, "must be an array of integers");
  if (info[i].IsNumber()) return {info[i].As<Napi::Number>().Int64Value()};
  if (!info[i].IsArray()) fail(i, "must be an array of integers");
  auto arr = info[i].As<Napi::Array>();
  std::vector<int64_t> out(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) out[k] = arr.Get(k).ToNumber().Int64Value();
  return out;
}
// A whole JS number becomes an integer scalar, as a Python int would: `idx.add(1)`
// keeps an int64 tensor int64 (a double scalar would promote it to float32).
c10::Scalar Args::Sc(size_t i) const {
  if (!has(i)) fail(i, "must be a number");
  if (info[i].IsBoolean()) return c10::Scalar(info[i].As<Napi::Boolean>().Value());
  double v = D(i);
  if (std::trunc(v) == v && std::fabs(v) <= 9007199254740992.0) return c10::Scalar(static_cast<int64_t>(v));
  return c10::Scalar(v);
}
c10::optional<at::Generator> Args::G(size_t i) const {
  if (!has(i)) return c10::nullopt;
  if (!info[i].IsObject() || !info[i].As<Napi::Object>().InstanceOf(GetInstance(env)->generatorCtor.Value())) fail(i, "must be a generator");
  return GeneratorWrap::Unwrap(info[i].As<Napi::Object>())->gen;
}
at::ScalarType Args::Dt(size_t i, at::ScalarType def) const { return has(i) ? ParseDtype(env, S(i)) : def; }
torch::Device Args::Dev(size_t i) const {
  if (!has(i)) return torch::Device(torch::kCPU);
  try {
    return torch::Device(S(i));
  } catch (const c10::Error& e) {
    fail(i, "is not a device name (use 'cpu' or 'cuda[:N]')");
  }
}

}  // namespace medloop
