// The module: per-environment state (the BpfError class, the object and ring buffer classes)
// and the export table, in the order object, BTF, maps, pins and ids, XDP and links, TC,
// test run, ring buffer, netns.

#include "addon.h"

#include <cerrno>

namespace vxvem {
namespace {

class VxvemAddon : public Napi::Addon<VxvemAddon> {
 public:
  VxvemAddon(Napi::Env env, Napi::Object exports) {
    objectCtor_ = Napi::Persistent(DefineObjectClass(env));
    ringCtor_ = Napi::Persistent(DefineRingBufferClass(env));
    DefineAddon(exports,
                {
                    InstanceMethod<&VxvemAddon::SetErrorClass>("setErrorClass"),
                    InstanceMethod<&VxvemAddon::OpenObject>("openObject"),
                    InstanceMethod<&VxvemAddon::Call<BtfStruct>>("btfStruct"),
                    InstanceMethod<&VxvemAddon::Call<BtfEnum>>("btfEnum"),
                    InstanceMethod<&VxvemAddon::Call<MapInfo>>("mapInfo"),
                    InstanceMethod<&VxvemAddon::Call<MapLookup>>("mapLookup"),
                    InstanceMethod<&VxvemAddon::CallVoid<MapUpdate>>("mapUpdate"),
                    InstanceMethod<&VxvemAddon::Call<MapDelete>>("mapDelete"),
                    InstanceMethod<&VxvemAddon::Call<MapNextKey>>("mapNextKey"),
                    InstanceMethod<&VxvemAddon::Call<MapLookupBatch>>("mapLookupBatch"),
                    InstanceMethod<&VxvemAddon::Call<MapLookupAndDeleteBatch>>(
                        "mapLookupAndDeleteBatch"),
                    InstanceMethod<&VxvemAddon::Call<MapUpdateBatch>>("mapUpdateBatch"),
                    InstanceMethod<&VxvemAddon::Call<MapUpdateBatchStart>>("mapUpdateBatchStart"),
                    InstanceMethod<&VxvemAddon::Call<MapUpdateBatchWait>>("mapUpdateBatchWait"),
                    InstanceMethod<&VxvemAddon::Call<MapDeleteBatch>>("mapDeleteBatch"),
                    InstanceMethod<&VxvemAddon::CallVoid<ObjPin>>("objPin"),
                    InstanceMethod<&VxvemAddon::Call<ObjGet>>("objGet"),
                    InstanceMethod<&VxvemAddon::CallVoid<CloseFd>>("closeFd"),
                    InstanceMethod<&VxvemAddon::Call<PossibleCpusJs>>("possibleCpus"),
                    InstanceMethod<&VxvemAddon::Call<ProgInfo>>("progInfo"),
                    InstanceMethod<&VxvemAddon::Call<ProgGetFdById>>("progGetFdById"),
                    InstanceMethod<&VxvemAddon::Call<EnableRunTimeStats>>("enableRunTimeStats"),
                    InstanceMethod<&VxvemAddon::Call<XdpAttach>>("xdpAttach"),
                    InstanceMethod<&VxvemAddon::CallVoid<XdpDetach>>("xdpDetach"),
                    InstanceMethod<&VxvemAddon::Call<XdpQuery>>("xdpQuery"),
                    InstanceMethod<&VxvemAddon::CallVoid<LinkPin>>("linkPin"),
                    InstanceMethod<&VxvemAddon::CallVoid<LinkUnpin>>("linkUnpin"),
                    InstanceMethod<&VxvemAddon::CallVoid<LinkDetach>>("linkDetach"),
                    InstanceMethod<&VxvemAddon::CallVoid<TcHookCreate>>("tcHookCreate"),
                    InstanceMethod<&VxvemAddon::CallVoid<TcHookDestroy>>("tcHookDestroy"),
                    InstanceMethod<&VxvemAddon::Call<TcAttach>>("tcAttach"),
                    InstanceMethod<&VxvemAddon::CallVoid<TcDetach>>("tcDetach"),
                    InstanceMethod<&VxvemAddon::Call<TcQuery>>("tcQuery"),
                    InstanceMethod<&VxvemAddon::Call<ProgTestRun>>("progTestRun"),
                    InstanceMethod<&VxvemAddon::RingBuffer>("ringBuffer"),
                    InstanceMethod<&VxvemAddon::CallVoid<NetnsEnter>>("netnsEnter"),
                });
  }

  // Builds the error object; falls back to a plain Error with the same fields until the
  // loader has registered BpfError.
  Napi::Value MakeError(Napi::Env env, const std::string& msg, const char* op, int err) {
    std::string code = ErrnoName(err);
    if (!errorClass_.IsEmpty()) {
      return errorClass_.New({Napi::String::New(env, msg), Napi::String::New(env, op),
                              Napi::Number::New(env, err), Napi::String::New(env, code)});
    }
    auto e = Napi::Error::New(env, msg).Value();
    e.Set("operation", op);
    e.Set("errno", err);
    e.Set("code", code);
    return e;
  }

 private:
  // Addon methods must be members: these forward to the functions of the other files.
  template <Napi::Value (*F)(const Napi::CallbackInfo&)>
  Napi::Value Call(const Napi::CallbackInfo& info) {
    return F(info);
  }

  template <void (*F)(const Napi::CallbackInfo&)>
  void CallVoid(const Napi::CallbackInfo& info) {
    F(info);
  }

  void SetErrorClass(const Napi::CallbackInfo& info) {
    if (!info[0].IsFunction()) Fail(info.Env(), "set_error_class", EINVAL, "expected a class");
    errorClass_ = Napi::Persistent(info[0].As<Napi::Function>());
  }

  Napi::Value OpenObject(const Napi::CallbackInfo& info) {
    return objectCtor_.New({info[0], info[1]});
  }

  Napi::Value RingBuffer(const Napi::CallbackInfo& info) {
    return ringCtor_.New({info[0], info[1]});
  }

  Napi::FunctionReference errorClass_;
  Napi::FunctionReference objectCtor_;
  Napi::FunctionReference ringCtor_;
};

struct GlobalInit {
  GlobalInit() { InitLibbpfLog(); }
} g_init;

}  // namespace

void ThrowBpfError(Napi::Env env, const std::string& msg, const char* op, int err) {
  auto* addon = env.GetInstanceData<VxvemAddon>();
  if (!addon) throw Napi::Error::New(env, msg);
  throw Napi::Error(env, addon->MakeError(env, msg, op, err));
}

}  // namespace vxvem

using vxvem::VxvemAddon;
NODE_API_ADDON(VxvemAddon)
