// Pins, fds and ids: objects pinned in bpffs and got back, fds closed, programs found by id.

#include "addon.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstdio>

#include <unistd.h>

namespace vxvem {

void ObjPin(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "obj_pin", info[0]);
  std::string path = ToStr(env, "obj_pin", info[1], "path");
  int r = bpf_obj_pin(fd, path.c_str());
  if (r) Fail(env, "obj_pin", ErrOf(r), path);
}

Napi::Value ObjGet(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = ToStr(env, "obj_get", info[0], "path");
  int fd = bpf_obj_get(path.c_str());
  if (fd < 0) Fail(env, "obj_get", ErrOf(fd), path);
  return Napi::Number::New(env, fd);
}

void CloseFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "close", info[0]);
  if (close(fd)) Fail(env, "close", errno, "fd " + std::to_string(fd));
}

Napi::Value ProgInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "prog_info", info[0]);
  bpf_prog_info pi;
  std::memset(&pi, 0, sizeof(pi));
  uint32_t len = sizeof(pi);
  int r = bpf_obj_get_info_by_fd(fd, &pi, &len);
  if (r) Fail(env, "prog_info", ErrOf(r), "prog fd " + std::to_string(fd));
  char tag[2 * BPF_TAG_SIZE + 1];
  for (int i = 0; i < BPF_TAG_SIZE; i++) std::snprintf(tag + 2 * i, 3, "%02x", pi.tag[i]);
  auto o = Napi::Object::New(env);
  o.Set("id", pi.id);
  o.Set("name", std::string(pi.name, strnlen(pi.name, sizeof(pi.name))));
  o.Set("type", pi.type);
  o.Set("tag", tag);
  // Counted only while run-time statistics are on (EnableRunTimeStats or the sysctl).
  o.Set("runCount", static_cast<double>(pi.run_cnt));
  o.Set("runTimeNs", static_cast<double>(pi.run_time_ns));
  return o;
}

Napi::Value EnableRunTimeStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // On while the fd is open, counted apart from kernel.bpf_stats_enabled: another process
  // switching the sysctl off does not switch them off for the holder.
  int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
  if (fd < 0) Fail(env, "enable_stats", ErrOf(fd), "run time");
  return Napi::Number::New(env, fd);
}

Napi::Value ProgGetFdById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint32_t id = ToU32(env, "prog_get_fd_by_id", info[0], "id");
  int fd = bpf_prog_get_fd_by_id(id);
  if (fd < 0) Fail(env, "prog_get_fd_by_id", ErrOf(fd), "prog id " + std::to_string(id));
  return Napi::Number::New(env, fd);
}

}  // namespace vxvem
