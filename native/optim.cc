// torch::optim optimisers with parameter groups, learning-rate access and state save/load.
#include <sstream>

#include "common.h"

namespace medloop {

class OptimizerWrap : public Napi::ObjectWrap<OptimizerWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeOptimizer",
                       {InstanceMethod("step", &OptimizerWrap::Step), InstanceMethod("zeroGrad", &OptimizerWrap::ZeroGrad),
                        InstanceMethod("getLr", &OptimizerWrap::GetLr), InstanceMethod("setLr", &OptimizerWrap::SetLr),
                        InstanceMethod("saveState", &OptimizerWrap::SaveState), InstanceMethod("loadState", &OptimizerWrap::LoadState),
                        InstanceMethod("groupCount", &OptimizerWrap::GroupCount)});
  }

  // new NativeOptimizer(kind, groups: {params: Tensor[], lr?, weightDecay?}[], defaults: {lr, beta1, beta2, eps, weightDecay, momentum, dampening, nesterov})
  explicit OptimizerWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<OptimizerWrap>(info) {
    Napi::Env env = info.Env();
    std::string kind = info[0].As<Napi::String>().Utf8Value();
    kind_ = kind;
    auto groupsJs = info[1].As<Napi::Array>();
    auto d = info[2].As<Napi::Object>();
    auto num = [&](Napi::Object o, const char* key, double def) {
      auto v = o.Get(key);
      return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : def;
    };
    double lr = num(d, "lr", 1e-3);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto makeOptions = [&](Napi::Object g) -> std::unique_ptr<torch::optim::OptimizerOptions> {
      double glr = num(g, "lr", lr);
      double wd = num(g, "weightDecay", num(d, "weightDecay", kind == "adamw" ? 1e-2 : 0.0));
      if (kind == "adam") {
        return std::make_unique<torch::optim::AdamOptions>(torch::optim::AdamOptions(glr)
                                                               .betas({num(d, "beta1", 0.9), num(d, "beta2", 0.999)})
                                                               .eps(num(d, "eps", 1e-8))
                                                               .weight_decay(wd));
      }
      if (kind == "adamw") {
        return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(glr)
                                                                .betas({num(d, "beta1", 0.9), num(d, "beta2", 0.999)})
                                                                .eps(num(d, "eps", 1e-8))
                                                                .weight_decay(wd));
      }
      if (kind == "sgd") {
        auto nest = d.Get("nesterov");
        return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(glr)
                                                              .momentum(num(d, "momentum", 0.0))
                                                              .dampening(num(d, "dampening", 0.0))
                                                              .weight_decay(wd)
                                                              .nesterov(nest.IsBoolean() && nest.As<Napi::Boolean>().Value()));
      }
      throw Napi::TypeError::New(env, "unknown optimizer '" + kind + "' (use adam, adamw or sgd)");
    };
    for (uint32_t i = 0; i < groupsJs.Length(); i++) {
      auto g = groupsJs.Get(i).As<Napi::Object>();
      auto ps = g.Get("params").As<Napi::Array>();
      std::vector<torch::Tensor> params;
      for (uint32_t k = 0; k < ps.Length(); k++) params.push_back(UnwrapTensor(env, ps.Get(k))->Get());
      groups.emplace_back(params, makeOptions(g));
    }
    auto defaults = makeOptions(Napi::Object::New(env));
    try {
      if (kind == "adam")
        opt_ = std::make_unique<torch::optim::Adam>(groups, static_cast<torch::optim::AdamOptions&>(*defaults));
      else if (kind == "adamw")
        opt_ = std::make_unique<torch::optim::AdamW>(groups, static_cast<torch::optim::AdamWOptions&>(*defaults));
      else
        opt_ = std::make_unique<torch::optim::SGD>(groups, static_cast<torch::optim::SGDOptions&>(*defaults));
    } catch (const c10::Error& e) {
      throw Napi::Error::New(env, "optimizer: " + CleanError(e));
    }
  }

 private:
  Napi::Value Step(const Napi::CallbackInfo& info) {
    try {
      opt_->step();
    } catch (const c10::Error& e) {
      throw Napi::Error::New(info.Env(), "optimizer step: " + CleanError(e));
    }
    return info.Env().Undefined();
  }
  Napi::Value ZeroGrad(const Napi::CallbackInfo& info) {
    // Resetting (not zeroing) grads frees their memory, as set_to_none=True does in Python.
    for (auto& g : opt_->param_groups())
      for (auto& p : g.params())
        if (p.grad().defined()) p.mutable_grad().reset();
    return info.Env().Undefined();
  }
  Napi::Value GroupCount(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(opt_->param_groups().size()));
  }
  Napi::Value GetLr(const Napi::CallbackInfo& info) {
    auto i = Group(info);
    return Napi::Number::New(info.Env(), opt_->param_groups()[i].options().get_lr());
  }
  Napi::Value SetLr(const Napi::CallbackInfo& info) {
    auto i = Group(info);
    opt_->param_groups()[i].options().set_lr(info[1].As<Napi::Number>().DoubleValue());
    return info.Env().Undefined();
  }
  size_t Group(const Napi::CallbackInfo& info) {
    auto i = static_cast<size_t>(info[0].As<Napi::Number>().Int64Value());
    if (i >= opt_->param_groups().size()) throw Napi::RangeError::New(info.Env(), "no parameter group " + std::to_string(i));
    return i;
  }
  Napi::Value SaveState(const Napi::CallbackInfo& info) {
    try {
      torch::serialize::OutputArchive archive;
      opt_->save(archive);
      std::ostringstream os;
      archive.save_to(os);
      auto s = os.str();
      return Napi::Buffer<char>::Copy(info.Env(), s.data(), s.size());
    } catch (const c10::Error& e) {
      throw Napi::Error::New(info.Env(), "optimizer saveState: " + CleanError(e));
    }
  }
  Napi::Value LoadState(const Napi::CallbackInfo& info) {
    try {
      auto buf = info[0].As<Napi::Buffer<char>>();
      std::istringstream is(std::string(buf.Data(), buf.Length()));
      torch::serialize::InputArchive archive;
      archive.load_from(is);
      opt_->load(archive);
      if (kind_ == "adam") RestoreGroupOptions<torch::optim::AdamOptions>(archive);
      else if (kind_ == "adamw") RestoreGroupOptions<torch::optim::AdamWOptions>(archive);
      else RestoreGroupOptions<torch::optim::SGDOptions>(archive);
    } catch (const c10::Error& e) {
      throw Napi::Error::New(info.Env(), "optimizer loadState: " + CleanError(e));
    }
    return info.Env().Undefined();
  }

  // libtorch 1.13's Optimizer::load restores moments and step counts but drops each
  // group's saved options (lr, betas, weight decay, ...); PyTorch's load_state_dict
  // restores them, and a resumed run needs them (a schedule may have changed lr).
  template <typename Options>
  void RestoreGroupOptions(torch::serialize::InputArchive& archive) {
    torch::serialize::InputArchive groupsArchive;
    archive.read("param_groups", groupsArchive);
    std::vector<std::pair<std::vector<std::string>, std::unique_ptr<torch::optim::OptimizerOptions>>> saved;
    torch::optim::detail::serialize<Options>(groupsArchive, saved);
    auto& groups = opt_->param_groups();
    for (size_t i = 0; i < saved.size() && i < groups.size(); i++) groups[i].set_options(std::move(saved[i].second));
  }

  std::unique_ptr<torch::optim::Optimizer> opt_;
  std::string kind_;
};

void RegisterOptim(Napi::Env env, Napi::Object exports) { exports.Set("Optimizer", OptimizerWrap::Define(env)); }

}  // namespace medloop
