// XDP attach: programs on a device's XDP hook through a bpf_link, the legacy netlink detach
// and the query of what is attached.

#include "addon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

namespace vxvem {

Napi::Value XdpAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "xdp_attach";
  int ifindex = ToFd(env, op, info[0], "ifindex");
  int progFd = ToFd(env, op, info[1], "progFd");
  auto opts = Opts<bpf_link_create_opts>();
  opts.flags = OptU32(env, op, info[2], "flags", 0);  // libbpf 1.1 passes these through
  int fd = bpf_link_create(progFd, ifindex, BPF_XDP, &opts);
  if (fd < 0) Fail(env, op, ErrOf(fd), "ifindex " + std::to_string(ifindex));
  return Napi::Number::New(env, fd);
}

void XdpDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = ToFd(env, "xdp_detach", info[0], "ifindex");
  uint32_t flags = OptU32(env, "xdp_detach", info[1], "flags", 0);
  LogCapture cap;
  int r = bpf_xdp_detach(ifindex, flags, nullptr);
  if (r) Fail(env, "xdp_detach", ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
}

Napi::Value XdpQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = ToFd(env, "xdp_query", info[0], "ifindex");
  auto opts = Opts<bpf_xdp_query_opts>();
  LogCapture cap;
  int r = bpf_xdp_query(ifindex, 0, &opts);
  if (r) Fail(env, "xdp_query", ErrOf(r), "ifindex " + std::to_string(ifindex), cap.Text());
  // prog_id is only set for a single attachment; with several modes report one of them.
  uint32_t id = opts.prog_id;
  for (uint32_t mode_id : {opts.drv_prog_id, opts.skb_prog_id, opts.hw_prog_id})
    if (!id) id = mode_id;
  auto o = Napi::Object::New(env);
  o.Set("progId", id);
  o.Set("mode", static_cast<uint32_t>(opts.attach_mode));  // XDP_ATTACHED_*
  return o;
}

}  // namespace vxvem
