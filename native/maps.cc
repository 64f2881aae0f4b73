// Maps: element and batch operations on a map fd, and the possible CPUs that size per-CPU
// values.

#include "addon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

namespace vxvem {
namespace {

bool IsPercpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int PossibleCpus(Napi::Env env, const char* op) {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) Fail(env, op, ErrOf(n), "cannot read the possible CPUs");
  return n;
}

}  // namespace

// One info syscall per binding call: sizes are checked here so a short Buffer never lets the
// kernel read or write past its end.
MapMeta GetMapMeta(Napi::Env env, const char* op, int fd) {
  MapMeta m;
  std::memset(&m.info, 0, sizeof(m.info));
  uint32_t len = sizeof(m.info);
  int r = bpf_obj_get_info_by_fd(fd, &m.info, &len);
  if (r) Fail(env, op, ErrOf(r), "map fd " + std::to_string(fd));
  m.percpu = IsPercpu(m.info.type);
  m.valueBytes = m.percpu ? PossibleCpus(env, op) * ((m.info.value_size + 7) & ~7u)
                          : m.info.value_size;
  return m;
}

void CheckLen(Napi::Env env, const char* op, const char* what, size_t got, size_t want) {
  if (got != want)
    Fail(env, op, EINVAL,
         std::string(what) + " is " + std::to_string(got) + " bytes, expected " +
             std::to_string(want));
}

namespace {

// The hash map batch cursor is a u32 bucket index whatever the key size; arrays use a key.
uint32_t CursorSize(const MapMeta& m) { return m.info.key_size > 4 ? m.info.key_size : 4; }

Napi::Object MapInfoToJs(Napi::Env env, const bpf_map_info& info) {
  auto o = Napi::Object::New(env);
  o.Set("id", info.id);
  o.Set("name", std::string(info.name, strnlen(info.name, sizeof(info.name))));
  o.Set("type", info.type);
  o.Set("keySize", info.key_size);
  o.Set("valueSize", info.value_size);
  o.Set("maxEntries", info.max_entries);
  o.Set("flags", info.map_flags);
  return o;
}

Napi::Value LookupBatch(const Napi::CallbackInfo& info, bool andDelete) {
  Napi::Env env = info.Env();
  const char* op = andDelete ? "map_lookup_and_delete_batch" : "map_lookup_batch";
  int fd = ToFd(env, op, info[0]);
  MapMeta m = GetMapMeta(env, op, fd);
  uint32_t cursorSize = CursorSize(m);
  const void* in = nullptr;
  if (!info[1].IsNull() && !info[1].IsUndefined()) {
    Bytes c = ToBytes(env, op, info[1], "cursor");
    CheckLen(env, op, "cursor", c.len, cursorSize);
    in = c.data;
  }
  uint32_t max = ToU32(env, op, info[2], "maxCount");
  if (max == 0) Fail(env, op, EINVAL, "maxCount must be at least 1");
  std::vector<uint8_t> keys(static_cast<size_t>(max) * m.info.key_size);
  std::vector<uint8_t> values(static_cast<size_t>(max) * m.valueBytes);
  std::vector<uint8_t> out(cursorSize);
  uint32_t count = max;
  auto opts = Opts<bpf_map_batch_opts>();
  int r = andDelete ? bpf_map_lookup_and_delete_batch(fd, const_cast<void*>(in), out.data(),
                                                      keys.data(), values.data(), &count, &opts)
                    : bpf_map_lookup_batch(fd, const_cast<void*>(in), out.data(), keys.data(),
                                           values.data(), &count, &opts);
  // ENOENT marks the end of the map and comes with the last, possibly partial, batch.
  bool done = false;
  if (r) {
    int err = ErrOf(r);
    if (err != ENOENT) Fail(env, op, err);
    done = true;
  }
  auto res = Napi::Object::New(env);
  res.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(),
                                               static_cast<size_t>(count) * m.info.key_size));
  res.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(),
                                                 static_cast<size_t>(count) * m.valueBytes));
  res.Set("count", count);
  if (!done) res.Set("next", Napi::Buffer<uint8_t>::Copy(env, out.data(), out.size()));
  return res;
}

}  // namespace

Napi::Value MapInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = ToFd(env, "map_info", info[0]);
  return MapInfoToJs(env, GetMapMeta(env, "map_info", fd).info);
}

Napi::Value MapLookup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_lookup";
  int fd = ToFd(env, op, info[0]);
  Bytes key = ToBytes(env, op, info[1], "key");
  MapMeta m = GetMapMeta(env, op, fd);
  CheckLen(env, op, "key", key.len, m.info.key_size);
  auto value = Napi::Buffer<uint8_t>::New(env, m.valueBytes);
  int r = bpf_map_lookup_elem(fd, key.len ? key.data : nullptr, value.Data());
  if (r) {
    int err = ErrOf(r);
    if (err == ENOENT) return env.Undefined();
    Fail(env, op, err);
  }
  return value;
}

void MapUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_update";
  int fd = ToFd(env, op, info[0]);
  Bytes key = ToBytes(env, op, info[1], "key");
  Bytes value = ToBytes(env, op, info[2], "value");
  uint64_t flags = OptU32(env, op, info[3], "flags", BPF_ANY);
  MapMeta m = GetMapMeta(env, op, fd);
  CheckLen(env, op, "key", key.len, m.info.key_size);
  CheckLen(env, op, "value", value.len, m.valueBytes);
  int r = bpf_map_update_elem(fd, key.len ? key.data : nullptr, value.data, flags);
  if (r) Fail(env, op, ErrOf(r));
}

Napi::Value MapDelete(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_delete";
  int fd = ToFd(env, op, info[0]);
  Bytes key = ToBytes(env, op, info[1], "key");
  MapMeta m = GetMapMeta(env, op, fd);
  CheckLen(env, op, "key", key.len, m.info.key_size);
  int r = bpf_map_delete_elem(fd, key.len ? key.data : nullptr);
  if (r) {
    int err = ErrOf(r);
    if (err == ENOENT) return Napi::Boolean::New(env, false);
    Fail(env, op, err);
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value MapNextKey(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_next_key";
  int fd = ToFd(env, op, info[0]);
  MapMeta m = GetMapMeta(env, op, fd);
  const void* cur = nullptr;
  if (!info[1].IsNull() && !info[1].IsUndefined()) {
    Bytes key = ToBytes(env, op, info[1], "key");
    CheckLen(env, op, "key", key.len, m.info.key_size);
    cur = key.data;
  }
  auto next = Napi::Buffer<uint8_t>::New(env, m.info.key_size);
  int r = bpf_map_get_next_key(fd, cur, next.Data());
  if (r) {
    int err = ErrOf(r);
    if (err == ENOENT) return env.Undefined();
    Fail(env, op, err);
  }
  return next;
}

Napi::Value MapLookupBatch(const Napi::CallbackInfo& info) { return LookupBatch(info, false); }
Napi::Value MapLookupAndDeleteBatch(const Napi::CallbackInfo& info) {
  return LookupBatch(info, true);
}

UpdateBatchArgs ParseUpdateBatch(const Napi::CallbackInfo& info, const char* op) {
  Napi::Env env = info.Env();
  UpdateBatchArgs a{};
  a.fd = ToFd(env, op, info[0]);
  a.keys = ToBytes(env, op, info[1], "keys");
  a.values = ToBytes(env, op, info[2], "values");
  a.count = ToU32(env, op, info[3], "count");
  a.flags = OptU32(env, op, info[4], "flags", BPF_ANY);
  a.meta = GetMapMeta(env, op, a.fd);
  CheckLen(env, op, "keys", a.keys.len, static_cast<size_t>(a.count) * a.meta.info.key_size);
  CheckLen(env, op, "values", a.values.len, static_cast<size_t>(a.count) * a.meta.valueBytes);
  return a;
}

void FailUpdateBatch(Napi::Env env, const char* op, int ret, uint32_t done, uint32_t count) {
  // On early rejections the kernel leaves count untouched: only a smaller one is news.
  Fail(env, op, ErrOf(ret),
       done < count ? "stopped after " + std::to_string(done) + " of " + std::to_string(count) +
                          " entries"
                    : "");
}

Napi::Value MapUpdateBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_update_batch";
  UpdateBatchArgs a = ParseUpdateBatch(info, op);
  auto opts = Opts<bpf_map_batch_opts>();
  opts.elem_flags = a.flags;
  uint32_t done = a.count;
  int r = bpf_map_update_batch(a.fd, a.keys.data, a.values.data, &done, &opts);
  if (r) FailUpdateBatch(env, op, r, done, a.count);
  return Napi::Number::New(env, done);
}

Napi::Value MapDeleteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_delete_batch";
  int fd = ToFd(env, op, info[0]);
  Bytes keys = ToBytes(env, op, info[1], "keys");
  uint32_t count = ToU32(env, op, info[2], "count");
  MapMeta m = GetMapMeta(env, op, fd);
  CheckLen(env, op, "keys", keys.len, static_cast<size_t>(count) * m.info.key_size);
  auto opts = Opts<bpf_map_batch_opts>();
  uint32_t done = count;
  int r = bpf_map_delete_batch(fd, keys.data, &done, &opts);
  // The kernel stops at the first absent key: report how far it got.
  if (r)
    Fail(env, op, ErrOf(r),
         done < count ? "stopped after " + std::to_string(done) + " of " +
                            std::to_string(count) + " entries"
                      : "");
  return Napi::Number::New(env, done);
}

Napi::Value PossibleCpusJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), PossibleCpus(info.Env(), "possible_cpus"));
}

}  // namespace vxvem
