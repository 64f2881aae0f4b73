// vxvem native addon: a thin, complete N-API binding over the system libbpf (1.1), one file per
// libbpf concept. The typed contract is native/index.ts; policy lives in TypeScript. Every
// failure is thrown as the BpfError class registered by setErrorClass(): (message, operation,
// errno, code).
//
// What the files share, grouped by the file that defines it. Exported functions take the call's
// arguments as index.ts declares them; addon.cc lists them under their JavaScript names.
#pragma once

#include <napi.h>
#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace vxvem {

// errors.cc: errors and arguments

std::string ErrnoName(int err);
// The positive errno of a failed libbpf call, from its return value or errno.
int ErrOf(long ret);
// Throws the registered BpfError.
[[noreturn]] void Fail(Napi::Env env, const char* op, int err, const std::string& what = "",
                       const std::string& log = "");

// Opts structs must be zeroed entirely (libbpf rejects unknown non-zero tail bytes) and
// carry their size; LIBBPF_OPTS() relies on C-only syntax, hence this helper.
template <typename T>
T Opts() {
  T o;
  std::memset(&o, 0, sizeof(o));
  o.sz = sizeof(o);
  return o;
}

struct Bytes {
  uint8_t* data;
  size_t len;
};

// Argument conversions: a wrong type or range fails as EINVAL of the operation `op`.
Bytes ToBytes(Napi::Env env, const char* op, const Napi::Value& v, const char* name);
uint32_t ToU32(Napi::Env env, const char* op, const Napi::Value& v, const char* name);
int ToFd(Napi::Env env, const char* op, const Napi::Value& v, const char* name = "fd");
std::string ToStr(Napi::Env env, const char* op, const Napi::Value& v, const char* name);
uint32_t OptU32(Napi::Env env, const char* op, const Napi::Value& v, const char* name,
                uint32_t dflt);
Napi::Object ToObject(Napi::Env env, const char* op, const Napi::Value& v, const char* name);

// log.cc: libbpf log capture

// Routes libbpf's output to the active LogCapture (and to stderr with VXVEM_LIBBPF_DEBUG=1).
void InitLibbpfLog();

// Collects what libbpf says on this thread while it lives, for the error message.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string Text() const;

 private:
  std::string buf_;
  std::string* prev_;
};

// addon.cc: module and per-environment state

// The BpfError once the loader has registered it, else a plain Error with the same fields.
[[noreturn]] void ThrowBpfError(Napi::Env env, const std::string& msg, const char* op, int err);

// object.cc
Napi::Function DefineObjectClass(Napi::Env env);

// maps.cc
struct MapMeta {
  bpf_map_info info;
  uint32_t valueBytes;  // bytes of one value as user space exchanges it
  bool percpu;
};
// The map's info and value size; checks are made before any syscall reads a caller's Buffer.
MapMeta GetMapMeta(Napi::Env env, const char* op, int fd);
void CheckLen(Napi::Env env, const char* op, const char* what, size_t got, size_t want);
// mapUpdateBatch's arguments (fd, keys, values, count, flags), their lengths checked against the map.
struct UpdateBatchArgs {
  int fd;
  Bytes keys;
  Bytes values;
  uint32_t count;
  uint32_t flags;
  MapMeta meta;
};
UpdateBatchArgs ParseUpdateBatch(const Napi::CallbackInfo& info, const char* op);
// A batch update's failure: errno, and how far it got when the kernel says so.
[[noreturn]] void FailUpdateBatch(Napi::Env env, const char* op, int ret, uint32_t done, uint32_t count);
Napi::Value MapInfo(const Napi::CallbackInfo& info);
Napi::Value MapLookup(const Napi::CallbackInfo& info);
void MapUpdate(const Napi::CallbackInfo& info);
Napi::Value MapDelete(const Napi::CallbackInfo& info);
Napi::Value MapNextKey(const Napi::CallbackInfo& info);
Napi::Value MapLookupBatch(const Napi::CallbackInfo& info);
Napi::Value MapLookupAndDeleteBatch(const Napi::CallbackInfo& info);
Napi::Value MapUpdateBatch(const Napi::CallbackInfo& info);
Napi::Value MapDeleteBatch(const Napi::CallbackInfo& info);
Napi::Value PossibleCpusJs(const Napi::CallbackInfo& info);

// batch_async.cc: batch updates on a thread of their own
Napi::Value MapUpdateBatchStart(const Napi::CallbackInfo& info);
Napi::Value MapUpdateBatchWait(const Napi::CallbackInfo& info);

// pins.cc: pins, fds and ids
void ObjPin(const Napi::CallbackInfo& info);
Napi::Value ObjGet(const Napi::CallbackInfo& info);
void CloseFd(const Napi::CallbackInfo& info);
Napi::Value ProgInfo(const Napi::CallbackInfo& info);
Napi::Value ProgGetFdById(const Napi::CallbackInfo& info);
Napi::Value EnableRunTimeStats(const Napi::CallbackInfo& info);

// netns.cc
void NetnsEnter(const Napi::CallbackInfo& info);

// attach_xdp.cc
Napi::Value XdpAttach(const Napi::CallbackInfo& info);
void XdpDetach(const Napi::CallbackInfo& info);
Napi::Value XdpQuery(const Napi::CallbackInfo& info);

// links.cc
void LinkPin(const Napi::CallbackInfo& info);
void LinkUnpin(const Napi::CallbackInfo& info);
void LinkDetach(const Napi::CallbackInfo& info);

// attach_tc.cc
void TcHookCreate(const Napi::CallbackInfo& info);
void TcHookDestroy(const Napi::CallbackInfo& info);
Napi::Value TcAttach(const Napi::CallbackInfo& info);
void TcDetach(const Napi::CallbackInfo& info);
Napi::Value TcQuery(const Napi::CallbackInfo& info);

// test_run.cc
Napi::Value ProgTestRun(const Napi::CallbackInfo& info);

// ringbuf.cc
Napi::Function DefineRingBufferClass(Napi::Env env);

// btf.cc
Napi::Value BtfStruct(const Napi::CallbackInfo& info);
Napi::Value BtfEnum(const Napi::CallbackInfo& info);

}  // namespace vxvem
