// Links: a bpf_link pinned in bpffs outlives its fd; detaching one consumes the fd.

#include "addon.h"

#include <bpf/bpf.h>

#include <cerrno>

#include <unistd.h>

namespace vxvem {

void LinkPin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "link_pin", info[0], "linkFd");
  std::string path = ToStr(env, "link_pin", info[1], "path");
  int r = bpf_obj_pin(fd, path.c_str());
  if (r) Fail(env, "link_pin", ErrOf(r), path);
}

void LinkUnpin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ToStr(env, "link_unpin", info[0], "path");
  if (unlink(path.c_str())) Fail(env, "link_unpin", errno, path);
}

void LinkDetach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "link_detach", info[0], "linkFd");
  int r = bpf_link_detach(fd);
  int err = r ? ErrOf(r) : 0;
  close(fd);  // the fd is consumed either way
  if (err) Fail(env, "link_detach", err, "link fd " + std::to_string(fd));
}

}  // namespace vxvem
