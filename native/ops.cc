// The op table: each entry binds one libtorch function, argument by argument.
// Ops are exposed as `native.ops.<name>(...)`; the TypeScript facade gives them types.
#include <cmath>

#include "common.h"

namespace medloop {

using OpFn = Napi::Value (*)(const Args&);
struct OpEntry {
  const char* name;
  OpFn fn;
};

#define R(expr) Wrap(a.env, (expr))
#define RL(expr) WrapList(a.env, (expr))
#define OP(name, ...) {name, [](const Args& a) -> Napi::Value { __VA_ARGS__ }}

// Binary ops take a tensor or a number as second operand.
#define BINARY(name, fn) OP(name, return a.isTensor(1) ? R(fn(a.T(0), a.T(1))) : R(fn(a.T(0), a.Sc(1)));)
#define UNARY(name, fn) OP(name, return R(fn(a.T(0)));)

static std::vector<torch::Tensor> Tup2(const std::tuple<torch::Tensor, torch::Tensor>& t) {
  return {std::get<0>(t), std::get<1>(t)};
}

static torch::TensorOptions Opts(const Args& a, size_t dtypeIdx, size_t deviceIdx, at::ScalarType def = at::kFloat) {
  return torch::TensorOptions().dtype(a.Dt(dtypeIdx, def)).device(a.Dev(deviceIdx));
}

static int64_t Reduction(const Args& a, size_t i) {
  if (!a.has(i)) return at::Reduction::Mean;
  auto s = a.S(i);
  if (s == "mean") return at::Reduction::Mean;
  if (s == "sum") return at::Reduction::Sum;
  if (s == "none") return at::Reduction::None;
  a.fail(i, "must be 'mean', 'sum' or 'none'");
}

static const OpEntry kOps[] = {
    // ---- creation
    OP("fromArray", {
      // (typedArray, shape, dtype?) copies the data; dtype overrides the array's own (e.g. Uint8Array -> bool).
      auto arr = a.info[0].As<Napi::TypedArray>();
      at::ScalarType st;
      switch (arr.TypedArrayType()) {
        case napi_float32_array: st = at::kFloat; break;
        case napi_float64_array: st = at::kDouble; break;
        case napi_bigint64_array: st = at::kLong; break;
        case napi_int32_array: st = at::kInt; break;
        case napi_uint8_array: st = at::kByte; break;
        default: a.fail(0, "must be a Float32Array, Float64Array, BigInt64Array, Int32Array or Uint8Array");
      }
      auto shape = a.L(1);
      int64_t n = 1;
      for (auto s : shape) n *= s;
      if (n != static_cast<int64_t>(arr.ElementLength()))
        a.fail(1, "shape holds " + std::to_string(n) + " elements but the array has " + std::to_string(arr.ElementLength()));
      auto* base = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
      auto t = torch::from_blob(base, shape, torch::TensorOptions().dtype(st)).clone();
      if (a.has(2)) {
        auto target = a.Dt(2, st);
        if (target != st) t = t.to(target);
      }
      return R(t);
    }),
    OP("scalar", return R(torch::scalar_tensor(a.Sc(0), Opts(a, 1, 2)));),
    OP("zeros", return R(torch::zeros(a.L(0), Opts(a, 1, 2)));),
    OP("ones", return R(torch::ones(a.L(0), Opts(a, 1, 2)));),
    OP("full", return R(torch::full(a.L(0), a.Sc(1), Opts(a, 2, 3)));),
    OP("empty", return R(torch::empty(a.L(0), Opts(a, 1, 2)));),
    OP("arange", {
      // Without a dtype, whole-number bounds and step give int64 and any fraction float32, as torch.arange infers.
      bool whole = true;
      for (size_t i = 0; i < 3; i++) {
        double v = a.D(i);
        whole = whole && std::trunc(v) == v;
      }
      return R(torch::arange(a.Sc(0), a.Sc(1), a.Sc(2), Opts(a, 3, 4, whole ? at::kLong : at::kFloat)));
    }),
    OP("linspace", return R(torch::linspace(a.Sc(0), a.Sc(1), a.I(2), Opts(a, 3, 4)));),
    OP("eye", return R(torch::eye(a.I(0), Opts(a, 1, 2)));),
    OP("zerosLike", return R(torch::zeros_like(a.T(0)));),
    OP("onesLike", return R(torch::ones_like(a.T(0)));),
    OP("fullLike", return R(torch::full_like(a.T(0), a.Sc(1)));),
    // Random draws happen on the CPU generator, then move: the same seed gives the same numbers on any device.
    OP("randn", return R(at::randn(a.L(0), a.G(1), torch::TensorOptions().dtype(a.Dt(2, at::kFloat))).to(a.Dev(3)));),
    OP("rand", return R(at::rand(a.L(0), a.G(1), torch::TensorOptions().dtype(a.Dt(2, at::kFloat))).to(a.Dev(3)));),
    OP("randint", return R(at::randint(a.I(0), a.I(1), a.L(2), a.G(3), torch::TensorOptions().dtype(at::kLong)).to(a.Dev(4)));),
    OP("randperm", return R(at::randperm(a.I(0), a.G(1), torch::TensorOptions().dtype(at::kLong)).to(a.Dev(2)));),
    OP("randnLike", {
      auto t = a.T(0);
      return R(at::randn(t.sizes(), a.G(1), torch::TensorOptions().dtype(t.scalar_type())).to(t.device()));
    }),
    OP("bernoulli", {
      auto p = a.T(0);
      return R(at::bernoulli(p.to(torch::kCPU), a.G(1)).to(p.device()));
    }),
    OP("multinomial", {
      auto p = a.T(0);
      return R(at::multinomial(p.to(torch::kCPU), a.I(1), a.B(2, false), a.G(3)).to(p.device()));
    }),

    // ---- type and device
    OP("toDtype", return R(a.T(0).to(a.Dt(1, at::kFloat)));),
    OP("toDevice", return R(a.T(0).to(a.Dev(1)));),
    OP("clone", return R(a.T(0).clone());),
    OP("detach", return R(a.T(0).detach());),
    OP("contiguous", return R(a.T(0).contiguous());),

    // ---- elementwise binary
    BINARY("add", torch::add), BINARY("sub", torch::sub), BINARY("mul", torch::mul), BINARY("div", torch::div),
    BINARY("pow", torch::pow), BINARY("remainder", torch::remainder), BINARY("eq", torch::eq), BINARY("ne", torch::ne),
    BINARY("lt", torch::lt), BINARY("le", torch::le), BINARY("gt", torch::gt), BINARY("ge", torch::ge),
    OP("rsub", return R(torch::rsub(a.T(0), a.Sc(1)));),
    OP("maximum", return R(torch::maximum(a.T(0), a.T(1)));),
    OP("minimum", return R(torch::minimum(a.T(0), a.T(1)));),
    OP("atan2", return R(torch::atan2(a.T(0), a.T(1)));),
    OP("logicalAnd", return R(torch::logical_and(a.T(0), a.T(1)));),
    OP("logicalOr", return R(torch::logical_or(a.T(0), a.T(1)));),

    // ---- elementwise unary
    UNARY("neg", torch::neg), UNARY("exp", torch::exp), UNARY("log", torch::log), UNARY("sqrt", torch::sqrt),
    UNARY("rsqrt", torch::rsqrt), UNARY("abs", torch::abs), UNARY("sin", torch::sin), UNARY("cos", torch::cos),
    UNARY("tanh", torch::tanh), UNARY("sigmoid", torch::sigmoid), UNARY("relu", torch::relu), UNARY("silu", at::silu),
    UNARY("square", torch::square), UNARY("sign", torch::sign), UNARY("floor", torch::floor), UNARY("ceil", torch::ceil),
    UNARY("round", torch::round), UNARY("log1p", torch::log1p), UNARY("expm1", torch::expm1), UNARY("erf", torch::erf),
    UNARY("reciprocal", torch::reciprocal), UNARY("logicalNot", torch::logical_not), UNARY("isnan", torch::isnan),
    UNARY("isfinite", torch::isfinite), UNARY("logSigmoid", at::log_sigmoid),
    OP("gelu", return R(at::gelu(a.T(0), a.has(1) ? a.S(1) : "none"));),
    OP("softplus", return R(at::softplus(a.T(0), a.D(1, 1.0), a.D(2, 20.0)));),
    OP("leakyRelu", return R(at::leaky_relu(a.T(0), a.D(1, 0.01)));),

    // ---- reductions: dims omitted means all
    OP("sum", return a.has(1) ? R(torch::sum(a.T(0), a.L(1), a.B(2, false))) : R(torch::sum(a.T(0)));),
    OP("mean", return a.has(1) ? R(torch::mean(a.T(0), a.L(1), a.B(2, false))) : R(torch::mean(a.T(0)));),
    OP("amax", return R(torch::amax(a.T(0), a.has(1) ? a.L(1) : std::vector<int64_t>{}, a.B(2, false)));),
    OP("amin", return R(torch::amin(a.T(0), a.has(1) ? a.L(1) : std::vector<int64_t>{}, a.B(2, false)));),
    OP("maxDim", return RL(Tup2(torch::max(a.T(0), a.I(1), a.B(2, false))));),
    OP("minDim", return RL(Tup2(torch::min(a.T(0), a.I(1), a.B(2, false))));),
    OP("argmax", return a.has(1) ? R(torch::argmax(a.T(0), a.I(1), a.B(2, false))) : R(torch::argmax(a.T(0)));),
    OP("argmin", return a.has(1) ? R(torch::argmin(a.T(0), a.I(1), a.B(2, false))) : R(torch::argmin(a.T(0)));),
    OP("var", return a.has(1) ? R(torch::var(a.T(0), at::IntArrayRef(a.L(1)), a.B(2, true), a.B(3, false))) : R(torch::var(a.T(0), a.B(2, true)));),
    OP("std", return a.has(1) ? R(torch::std(a.T(0), at::IntArrayRef(a.L(1)), a.B(2, true), a.B(3, false))) : R(torch::std(a.T(0), a.B(2, true)));),
    OP("logsumexp", return R(torch::logsumexp(a.T(0), a.L(1), a.B(2, false)));),
    OP("norm", {
      if (a.has(2)) return R(torch::norm(a.T(0), a.Sc(1), at::IntArrayRef(a.L(2)), a.B(3, false)));
      return R(torch::norm(a.T(0), a.Sc(1)));
    }),
    OP("cumsum", return R(torch::cumsum(a.T(0), a.I(1)));),
    OP("prod", return a.has(1) ? R(torch::prod(a.T(0), a.I(1), a.B(2, false))) : R(torch::prod(a.T(0)));),
    OP("all", return R(torch::all(a.T(0)));),
    OP("any", return R(torch::any(a.T(0)));),

    // ---- shape and indexing
    OP("reshape", return R(a.T(0).reshape(a.L(1)));),
    OP("permute", return R(a.T(0).permute(a.L(1)));),
    OP("transpose", return R(a.T(0).transpose(a.I(1), a.I(2)));),
    OP("squeeze", return a.has(1) ? R(a.T(0).squeeze(a.I(1))) : R(a.T(0).squeeze());),
    OP("unsqueeze", return R(a.T(0).unsqueeze(a.I(1)));),
    OP("flatten", return R(a.T(0).flatten(a.I(1, 0), a.I(2, -1)));),
    OP("expand", return R(a.T(0).expand(a.L(1)));),
    OP("cat", return R(torch::cat(a.TL(0), a.I(1, 0)));),
    OP("stack", return R(torch::stack(a.TL(0), a.I(1, 0)));),
    OP("slice", return R(a.T(0).slice(a.I(1), a.has(2) ? c10::optional<int64_t>(a.I(2)) : c10::nullopt,
                                      a.has(3) ? c10::optional<int64_t>(a.I(3)) : c10::nullopt, a.I(4, 1)));),
    OP("narrow", return R(a.T(0).narrow(a.I(1), a.I(2), a.I(3)));),
    OP("select", return R(a.T(0).select(a.I(1), a.I(2)));),
    OP("indexSelect", return R(torch::index_select(a.T(0), a.I(1), a.T(2)));),
    OP("index", return R(a.T(0).index({a.T(1)}));),  // along dim 0 by an int64 or bool tensor
    OP("indexPut", return R(a.T(0).index_put({a.T(1)}, a.T(2)));),
    OP("gather", return R(torch::gather(a.T(0), a.I(1), a.T(2)));),
    OP("scatter", return R(torch::scatter(a.T(0), a.I(1), a.T(2), a.T(3)));),
    OP("scatterAdd", return R(torch::scatter_add(a.T(0), a.I(1), a.T(2), a.T(3)));),
    OP("repeat", return R(a.T(0).repeat(a.L(1)));),
    OP("repeatInterleave", return R(torch::repeat_interleave(a.T(0), a.I(1), a.I(2, 0)));),
    OP("flip", return R(torch::flip(a.T(0), a.L(1)));),
    OP("roll", return R(torch::roll(a.T(0), a.L(1), a.L(2)));),
    OP("chunk", return RL(torch::chunk(a.T(0), a.I(1), a.I(2, 0)));),
    OP("split", return RL(torch::split_with_sizes(a.T(0), a.L(1), a.I(2, 0)));),
    OP("where", {
      if (a.isTensor(1) && a.isTensor(2)) return R(torch::where(a.T(0), a.T(1), a.T(2)));
      // A number operand takes the other operand's dtype and device (float32 on the condition's device when both are numbers).
      auto c = a.T(0);
      auto numberOpts = a.isTensor(1) ? a.T(1).options() : a.isTensor(2) ? a.T(2).options() : c.options().dtype(at::kFloat);
      auto x = a.isTensor(1) ? a.T(1) : torch::full({}, a.Sc(1), numberOpts);
      auto y = a.isTensor(2) ? a.T(2) : torch::full({}, a.Sc(2), numberOpts);
      return R(torch::where(c, x, y));
    }),
    OP("clamp", {
      c10::optional<c10::Scalar> lo, hi;
      if (a.has(1)) lo = a.Sc(1);
      if (a.has(2)) hi = a.Sc(2);
      return R(torch::clamp(a.T(0), lo, hi));
    }),
    OP("maskedFill", return R(a.T(0).masked_fill(a.T(1), a.Sc(2)));),
    OP("tril", return R(torch::tril(a.T(0), a.I(1, 0)));),
    OP("triu", return R(torch::triu(a.T(0), a.I(1, 0)));),
    OP("diag", return R(torch::diag(a.T(0), a.I(1, 0)));),
    OP("oneHot", return R(torch::one_hot(a.T(0), a.I(1, -1)));),

    // ---- linear algebra
    OP("matmul", return R(torch::matmul(a.T(0), a.T(1)));),
    OP("bmm", return R(torch::bmm(a.T(0), a.T(1)));),
    OP("linear", return R(torch::linear(a.T(0), a.T(1), a.OT(2)));),
    OP("einsum", return R(torch::einsum(a.S(0), a.TL(1)));),
    OP("eigh", return RL(Tup2(torch::linalg_eigh(a.T(0), "L")));),
    OP("cdist", return R(torch::cdist(a.T(0), a.T(1), a.D(2, 2.0)));),
    OP("topk", return RL(Tup2(torch::topk(a.T(0), a.I(1), a.I(2, -1), a.B(3, true), a.B(4, true))));),
    OP("sort", return RL(Tup2(torch::sort(a.T(0), a.I(1, -1), a.B(2, false))));),
    OP("kthvalue", return RL(Tup2(torch::kthvalue(a.T(0), a.I(1), a.I(2, -1), a.B(3, false))));),

    // ---- neural-network functions
    OP("conv2d", return R(torch::conv2d(a.T(0), a.T(1), a.OT(2), a.L(3), a.L(4), a.has(5) ? a.L(5) : std::vector<int64_t>{1, 1}, a.I(6, 1)));),
    OP("convTranspose2d", return R(torch::conv_transpose2d(a.T(0), a.T(1), a.OT(2), a.L(3), a.L(4), a.L(5), a.I(6, 1),
                                                            a.has(7) ? a.L(7) : std::vector<int64_t>{1, 1}));),
    OP("groupNorm", return R(torch::group_norm(a.T(0), a.I(1), a.OT(2), a.OT(3), a.D(4, 1e-5)));),
    OP("layerNorm", return R(torch::layer_norm(a.T(0), a.L(1), a.OT(2), a.OT(3), a.D(4, 1e-5)));),
    OP("softmax", return R(torch::softmax(a.T(0), a.I(1)));),
    OP("logSoftmax", return R(torch::log_softmax(a.T(0), a.I(1)));),
    OP("dropout", return R(torch::dropout(a.T(0), a.D(1), a.B(2, true)));),
    OP("embedding", return R(torch::embedding(a.T(0), a.T(1)));),
    OP("upsampleNearest2d", return R(at::upsample_nearest2d(a.T(0), a.L(1)));),
    OP("upsampleBilinear2d", return R(at::upsample_bilinear2d(a.T(0), a.L(1), a.B(2, false)));),
    OP("avgPool2d", return R(torch::avg_pool2d(a.T(0), a.L(1), a.has(2) ? a.L(2) : a.L(1), a.has(3) ? a.L(3) : std::vector<int64_t>{0, 0}));),
    OP("maxPool2d", return R(torch::max_pool2d(a.T(0), a.L(1), a.has(2) ? a.L(2) : a.L(1), a.has(3) ? a.L(3) : std::vector<int64_t>{0, 0}));),
    OP("adaptiveAvgPool2d", return R(torch::adaptive_avg_pool2d(a.T(0), a.L(1)));),
    OP("pad", {
      // (x, pads, value?, mode?): mode 'constant' (default), 'reflect', 'replicate' or 'circular'.
      std::string mode = a.has(3) ? a.S(3) : "constant";
      if (mode == "constant") return R(torch::constant_pad_nd(a.T(0), a.L(1), a.has(2) ? a.Sc(2) : c10::Scalar(0.0)));
      namespace nf = torch::nn::functional;
      nf::PadFuncOptions o(a.L(1));
      if (mode == "reflect") o.mode(torch::kReflect);
      else if (mode == "replicate") o.mode(torch::kReplicate);
      else if (mode == "circular") o.mode(torch::kCircular);
      else a.fail(3, "must be 'constant', 'reflect', 'replicate' or 'circular'");
      return R(nf::pad(a.T(0), o));
    }),
    OP("affineGrid", return R(torch::affine_grid_generator(a.T(0), a.L(1), a.B(2, false)));),
    OP("gridSample", {
      // mode: 0 bilinear, 1 nearest; padding: 0 zeros, 1 border, 2 reflection
      return R(torch::grid_sampler(a.T(0), a.T(1), a.I(2, 0), a.I(3, 0), a.B(4, false)));
    }),
    OP("mseLoss", return R(torch::mse_loss(a.T(0), a.T(1), Reduction(a, 2)));),
    OP("crossEntropy", return R(torch::cross_entropy_loss(a.T(0), a.T(1), a.OT(3), Reduction(a, 2), -100, a.D(4, 0.0)));),
    OP("nllLoss", return R(torch::nll_loss(a.T(0), a.T(1), a.OT(3), Reduction(a, 2)));),
    OP("bceWithLogits", return R(torch::binary_cross_entropy_with_logits(a.T(0), a.T(1), a.OT(3), a.OT(4), Reduction(a, 2)));),

    // ---- in-place updates (EMA, parameter surgery); run without recording gradients
    OP("add_", {
      torch::NoGradGuard ng;
      auto t = a.T(0);
      if (a.isTensor(1)) t.add_(a.T(1), a.has(2) ? a.Sc(2) : c10::Scalar(1.0));
      else t.add_(a.Sc(1));
      return a.env.Undefined();
    }),
    OP("mul_", {
      torch::NoGradGuard ng;
      auto t = a.T(0);
      if (a.isTensor(1)) t.mul_(a.T(1));
      else t.mul_(a.Sc(1));
      return a.env.Undefined();
    }),
    OP("copy_", {
      torch::NoGradGuard ng;
      a.T(0).copy_(a.T(1));
      return a.env.Undefined();
    }),
    OP("lerp_", {
      torch::NoGradGuard ng;
      a.T(0).lerp_(a.T(1), a.Sc(2));
      return a.env.Undefined();
    }),
    OP("fill_", {
      torch::NoGradGuard ng;
      a.T(0).fill_(a.Sc(1));
      return a.env.Undefined();
    }),
    OP("zero_", {
      torch::NoGradGuard ng;
      a.T(0).zero_();
      return a.env.Undefined();
    }),

    // ---- autograd
    OP("autogradGrad", {
      // (outputs[], inputs[], gradOutputs[]|null, retainGraph, createGraph, allowUnused)
      std::vector<torch::Tensor> gouts;
      if (a.has(2)) gouts = a.TL(2);
      bool create = a.B(4, false);
      auto grads = torch::autograd::grad(a.TL(0), a.TL(1), gouts, a.has(3) ? c10::optional<bool>(a.B(3, false)) : c10::nullopt, create, a.B(5, false));
      auto arr = Napi::Array::New(a.env, grads.size());
      for (size_t i = 0; i < grads.size(); i++) arr.Set(static_cast<uint32_t>(i), grads[i].defined() ? Wrap(a.env, grads[i]) : a.env.Null());
      return arr;
    }),
    OP("clipGradNorm", return Napi::Number::New(a.env, torch::nn::utils::clip_grad_norm_(a.TL(0), a.D(1), a.D(2, 2.0)));),
};

static Napi::Value Trampoline(const Napi::CallbackInfo& info) {
  auto* entry = static_cast<const OpEntry*>(info.Data());
  Args args(info, entry->name);
  try {
    return entry->fn(args);
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string(entry->name) + ": " + CleanError(e));
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(entry->name) + ": " + e.what());
  }
}

void RegisterOps(Napi::Env env, Napi::Object exports) {
  auto ops = Napi::Object::New(env);
  for (const auto& entry : kOps)
    ops.Set(entry.name, Napi::Function::New(env, Trampoline, entry.name, const_cast<OpEntry*>(&entry)));
  exports.Set("ops", ops);
}

}  // namespace medloop
