// TC attach: the clsact hook of a device and filters at (direction, priority, handle).

#include "addon.h"

#include <bpf/libbpf.h>

#include <cerrno>

namespace vxvem {
namespace {

int TcPoint(Napi::Env env, const char* op, const Napi::Value& v) {
  std::string dir = ToStr(env, op, v, "direction");
  if (dir == "ingress") return BPF_TC_INGRESS;
  if (dir == "egress") return BPF_TC_EGRESS;
  Fail(env, op, EINVAL, "direction must be 'ingress' or 'egress', got '" + dir + "'");
}

constexpr const char* kNoChain = "Cannot find specified filter chain";

bpf_tc_hook TcHook(int ifindex, int point) {
  auto hook = Opts<bpf_tc_hook>();
  hook.ifindex = ifindex;
  hook.attach_point = static_cast<bpf_tc_attach_point>(point);
  return hook;
}

}  // namespace

void TcHookCreate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = ToFd(env, "tc_hook_create", info[0], "ifindex");
  bpf_tc_hook hook = TcHook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);  // clsact qdisc
  LogCapture cap;
  int r = bpf_tc_hook_create(&hook);
  if (r && ErrOf(r) != EEXIST)
    Fail(env, "tc_hook_create", ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
}

void TcHookDestroy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = ToFd(env, "tc_hook_destroy", info[0], "ifindex");
  bpf_tc_hook hook = TcHook(ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS);
  LogCapture cap;
  int r = bpf_tc_hook_destroy(&hook);
  if (r) Fail(env, "tc_hook_destroy", ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
}

Napi::Value TcAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "tc_attach";
  auto o = ToObject(env, op, info[0], "options");
  int ifindex = ToFd(env, op, o.Get("ifindex"), "ifindex");
  int point = TcPoint(env, op, o.Get("direction"));
  auto opts = Opts<bpf_tc_opts>();
  opts.prog_fd = ToFd(env, op, o.Get("progFd"), "progFd");
  opts.priority = OptU32(env, op, o.Get("priority"), "priority", 1);
  opts.handle = OptU32(env, op, o.Get("handle"), "handle", 1);
  auto replace = o.Get("replace");
  if (!replace.IsUndefined() && !replace.IsBoolean())
    Fail(env, op, EINVAL, "replace must be a boolean");
  if (replace.IsBoolean() && replace.As<Napi::Boolean>().Value()) opts.flags = BPF_TC_F_REPLACE;
  bpf_tc_hook hook = TcHook(ifindex, point);
  LogCapture cap;
  int r = bpf_tc_attach(&hook, &opts);
  if (r) Fail(env, op, ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
  auto res = Napi::Object::New(env);
  res.Set("progId", opts.prog_id);
  return res;
}

void TcDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "tc_detach";
  int ifindex = ToFd(env, op, info[0], "ifindex");
  bpf_tc_hook hook = TcHook(ifindex, TcPoint(env, op, info[1]));
  auto opts = Opts<bpf_tc_opts>();
  opts.priority = ToU32(env, op, info[2], "priority");
  opts.handle = ToU32(env, op, info[3], "handle");
  LogCapture cap;
  int r = bpf_tc_detach(&hook, &opts);
  if (r) Fail(env, op, ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
}

Napi::Value TcQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "tc_query";
  int ifindex = ToFd(env, op, info[0], "ifindex");
  bpf_tc_hook hook = TcHook(ifindex, TcPoint(env, op, info[1]));
  auto opts = Opts<bpf_tc_opts>();
  opts.priority = ToU32(env, op, info[2], "priority");
  opts.handle = ToU32(env, op, info[3], "handle");
  LogCapture cap;
  int r = bpf_tc_query(&hook, &opts);
  if (r) {
    int err = ErrOf(r);
    // With no filter at all on the hook the kernel has freed the chain and answers EINVAL;
    // its extack text (relayed by libbpf's log) is the only way to tell that from bad input.
    if (err == ENOENT ||
        (err == EINVAL && cap.Text().find(kNoChain) != std::string::npos))
      return env.Undefined();
    Fail(env, op, err, "ifindex " + std::to_string(ifindex), cap.Text());
  }
  auto res = Napi::Object::New(env);
  res.Set("progId", opts.prog_id);
  return res;
}

}  // namespace vxvem
