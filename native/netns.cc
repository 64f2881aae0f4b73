// Network namespaces: entering one from the JS thread.

#include "addon.h"

#include <cerrno>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

namespace vxvem {

// setns(2) for the calling (JS main) thread only: bpf(), netlink and child processes started
// afterwards from this thread act in that namespace. Tests use it to work inside their netns.
void NetnsEnter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ToStr(env, "netns_enter", info[0], "path");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail(env, "netns_enter", errno, path);
  int r = setns(fd, CLONE_NEWNET);
  int err = errno;
  close(fd);
  if (r) Fail(env, "netns_enter", err, path);
}

}  // namespace vxvem
