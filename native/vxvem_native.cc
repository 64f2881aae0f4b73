// vxvem native addon: a thin, complete N-API binding over the system libbpf (1.1).
// The typed contract is native/index.ts; policy lives in TypeScript. Every failure is thrown
// as the BpfError class registered by setErrorClass(): (message, operation, errno, code).
//
// Sections: errors and arguments, libbpf log capture, map helpers, object (class), ring
// buffer (class), then the addon with the exported functions in the order object, maps,
// pins and ids, links/attach (XDP, TC), test run, ring buffer, BTF; and the module.

#include <napi.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

namespace {

class VxvemAddon;

// ---------------------------------------------------------------------------------------------
// Errors and arguments
// ---------------------------------------------------------------------------------------------

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name ? name : "E" + std::to_string(err);
}

// libbpf 1.x returns -errno and also sets errno; prefer the return value, which survives
// any cleanup libbpf did after the failing syscall.
int ErrOf(long ret) {
  if (ret < 0 && ret != -1) return static_cast<int>(-ret);
  return errno > 0 ? errno : EINVAL;
}

// The kernel-internal ENOTSUPP leaks from bpf() (e.g. batch ops a map type lacks) and has
// no name in libc.
constexpr int kKernelENOTSUPP = 524;

// libbpf's private codes (4000+, e.g. "not an ELF object") have no errno name: report the
// closest errno and keep libbpf's wording in the message.
int SystemErrno(int err) {
  switch (err) {
    case LIBBPF_ERRNO__LIBELF:
    case LIBBPF_ERRNO__FORMAT:
    case LIBBPF_ERRNO__ENDIAN:
      return ENOEXEC;
    case LIBBPF_ERRNO__PROG2BIG:
      return E2BIG;
    case LIBBPF_ERRNO__VERIFY:
      return EACCES;
    case LIBBPF_ERRNO__PROGTYPE:
      return EOPNOTSUPP;
    default:
      return EINVAL;
  }
}

// Throws the registered BpfError; defined after the addon class, whose instance holds it.
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

bool IsBytes(const Napi::Value& v) {
  if (v.IsBuffer()) return true;
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

Bytes ToBytes(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!IsBytes(v)) Fail(env, op, EINVAL, std::string(name) + " must be a Buffer");
  auto a = v.As<Napi::Uint8Array>();
  return {a.Data(), a.ByteLength()};
}

double ToNumber(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) Fail(env, op, EINVAL, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d)
    Fail(env, op, EINVAL, std::string(name) + " must be an integer");
  return d;
}

uint32_t ToU32(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  double d = ToNumber(env, op, v, name);
  if (d < 0 || d > 4294967295.0)
    Fail(env, op, EINVAL, std::string(name) + " out of range for u32");
  return static_cast<uint32_t>(d);
}

// Negative fds are passed through so the kernel answers EBADF like for any stale fd.
int ToFd(Napi::Env env, const char* op, const Napi::Value& v, const char* name = "fd") {
  double d = ToNumber(env, op, v, name);
  if (d < -2147483648.0 || d > 2147483647.0) return -1;
  return static_cast<int>(d);
}

std::string ToStr(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!v.IsString()) Fail(env, op, EINVAL, std::string(name) + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

uint32_t OptU32(Napi::Env env, const char* op, const Napi::Value& v, const char* name,
                uint32_t dflt) {
  return v.IsUndefined() || v.IsNull() ? dflt : ToU32(env, op, v, name);
}

Napi::Object ToObject(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!v.IsObject()) Fail(env, op, EINVAL, std::string(name) + " must be an object");
  return v.As<Napi::Object>();
}

// ---------------------------------------------------------------------------------------------
// libbpf log capture
// ---------------------------------------------------------------------------------------------

// libbpf's print callback is process-wide, but it runs on the thread that called libbpf, so
// a thread-local target lets each open/load collect its own warnings (verifier log
// included) for the error message, while all other output is dropped.
thread_local std::string* tls_capture = nullptr;
bool g_debug = false;  // VXVEM_LIBBPF_DEBUG=1: everything libbpf says also goes to stderr

int PrintFn(enum libbpf_print_level level, const char* fmt, va_list ap) {
  if (g_debug) {
    va_list cp;
    va_copy(cp, ap);
    std::vfprintf(stderr, fmt, cp);
    va_end(cp);
  }
  if (!tls_capture || level > LIBBPF_INFO) return 0;
  char small[512];
  va_list cp;
  va_copy(cp, ap);
  int n = std::vsnprintf(small, sizeof(small), fmt, cp);
  va_end(cp);
  if (n < 0) return 0;
  if (static_cast<size_t>(n) < sizeof(small)) {
    tls_capture->append(small, n);
  } else {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), fmt, ap);
    big.resize(n);
    tls_capture->append(big);
  }
  return 0;
}

class LogCapture {
 public:
  LogCapture() : prev_(tls_capture) { tls_capture = &buf_; }
  ~LogCapture() { tls_capture = prev_; }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // A verifier log can reach megabytes; its start (the program) and its end (the failing
  // instruction and the reason) are what matter.
  std::string Text() const {
    constexpr size_t kHead = 8 * 1024, kTail = 56 * 1024;
    if (buf_.size() <= kHead + kTail) return buf_;
    return buf_.substr(0, kHead) + "\n[... " + std::to_string(buf_.size() - kHead - kTail) +
           " bytes of libbpf output omitted ...]\n" + buf_.substr(buf_.size() - kTail);
  }

 private:
  std::string buf_;
  std::string* prev_;
};

// ---------------------------------------------------------------------------------------------
// Maps: shared helpers
// ---------------------------------------------------------------------------------------------

struct MapMeta {
  bpf_map_info info;
  uint32_t valueBytes;  // bytes of one value as user space exchanges it
  bool percpu;
};

bool IsPercpu(uint32_t type) {
  return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
         type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

int PossibleCpus(Napi::Env env, const char* op) {
  int n = libbpf_num_possible_cpus();
  if (n <= 0) Fail(env, op, ErrOf(n), "cannot read the possible CPUs");
  return n;
}

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

// ---------------------------------------------------------------------------------------------
// Object
// ---------------------------------------------------------------------------------------------

class BpfObjectWrap : public Napi::ObjectWrap<BpfObjectWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "BpfObject",
                       {
                           InstanceMethod<&BpfObjectWrap::Maps>("maps"),
                           InstanceMethod<&BpfObjectWrap::Programs>("programs"),
                           InstanceMethod<&BpfObjectWrap::SetMapPinPath>("setMapPinPath"),
                           InstanceMethod<&BpfObjectWrap::SetMapMaxEntries>("setMapMaxEntries"),
                           InstanceMethod<&BpfObjectWrap::Load>("load"),
                           InstanceMethod<&BpfObjectWrap::MapFd>("mapFd"),
                           InstanceMethod<&BpfObjectWrap::ProgFd>("progFd"),
                           InstanceMethod<&BpfObjectWrap::Close>("close"),
                       });
  }

  // Constructed by openObject(path, opts) only.
  explicit BpfObjectWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObjectWrap>(info) {
    Napi::Env env = info.Env();
    path_ = ToStr(env, "object_open", info[0], "path");
    std::string pinRoot;
    auto opts = Opts<bpf_object_open_opts>();
    if (!info[1].IsUndefined() && !info[1].IsNull()) {
      auto o = ToObject(env, "object_open", info[1], "options");
      auto pr = o.Get("pinRoot");
      if (!pr.IsUndefined()) {
        pinRoot = ToStr(env, "object_open", pr, "pinRoot");
        opts.pin_root_path = pinRoot.c_str();
      }
    }
    // No kernel_log_buf: with a caller buffer libbpf neither grows it on ENOSPC nor prints it,
    // and a log too large for it turns the verifier's error into ENOSPC. libbpf's own buffer
    // grows as needed and the log reaches us through the print callback (LogCapture).
    LogCapture cap;
    obj_ = bpf_object__open_file(path_.c_str(), &opts);
    if (!obj_) Fail(env, "object_open", ErrOf(-1), path_, cap.Text());
  }

  ~BpfObjectWrap() override {
    if (obj_) bpf_object__close(obj_);  // finalizer of an unclosed handle
  }

 private:
  bpf_object* Live(Napi::Env env, const char* op) {
    if (!obj_) Fail(env, op, EBADF, "object " + path_ + " is closed");
    return obj_;
  }

  bpf_map* FindMap(Napi::Env env, const char* op, const Napi::Value& v) {
    bpf_object* obj = Live(env, op);
    std::string name = ToStr(env, op, v, "map name");
    bpf_map* map = bpf_object__find_map_by_name(obj, name.c_str());
    if (!map) Fail(env, op, ENOENT, "no map '" + name + "' in " + path_);
    return map;
  }

  Napi::Value Maps(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_object* obj = Live(env, "object_maps");
    auto arr = Napi::Array::New(env);
    uint32_t i = 0;
    bpf_map* map;
    bpf_object__for_each_map(map, obj) {
      auto o = Napi::Object::New(env);
      uint32_t id = 0;
      int fd = bpf_map__fd(map);
      if (fd >= 0) {
        bpf_map_info mi;
        std::memset(&mi, 0, sizeof(mi));
        uint32_t len = sizeof(mi);
        int r = bpf_obj_get_info_by_fd(fd, &mi, &len);
        if (r) Fail(env, "object_maps", ErrOf(r), bpf_map__name(map));
        id = mi.id;
      }
      o.Set("id", id);
      o.Set("name", bpf_map__name(map));
      o.Set("type", static_cast<uint32_t>(bpf_map__type(map)));
      o.Set("keySize", bpf_map__key_size(map));
      o.Set("valueSize", bpf_map__value_size(map));
      o.Set("maxEntries", bpf_map__max_entries(map));
      o.Set("flags", bpf_map__map_flags(map));
      if (const char* pin = bpf_map__pin_path(map)) o.Set("pinPath", pin);
      arr.Set(i++, o);
    }
    return arr;
  }

  Napi::Value Programs(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_object* obj = Live(env, "object_programs");
    auto arr = Napi::Array::New(env);
    uint32_t i = 0;
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj) {
      auto o = Napi::Object::New(env);
      o.Set("name", bpf_program__name(prog));
      o.Set("section", bpf_program__section_name(prog));
      o.Set("type", static_cast<uint32_t>(bpf_program__type(prog)));
      arr.Set(i++, o);
    }
    return arr;
  }

  void SetMapPinPath(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, "map_set_pin_path", info[0]);
    std::string path = ToStr(env, "map_set_pin_path", info[1], "path");
    int r = bpf_map__set_pin_path(map, path.c_str());
    if (r) Fail(env, "map_set_pin_path", ErrOf(r), path);
  }

  void SetMapMaxEntries(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, "map_set_max_entries", info[0]);
    uint32_t n = ToU32(env, "map_set_max_entries", info[1], "maxEntries");
    int r = bpf_map__set_max_entries(map, n);  // EBUSY once loaded
    if (r) Fail(env, "map_set_max_entries", ErrOf(r), bpf_map__name(map));
  }

  void Load(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_object* obj = Live(env, "object_load");
    LogCapture cap;
    int r = bpf_object__load(obj);
    if (r) Fail(env, "object_load", ErrOf(r), path_, cap.Text());
  }

  Napi::Value MapFd(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_map* map = FindMap(env, "object_map_fd", info[0]);
    int fd = bpf_map__fd(map);
    if (fd < 0)
      Fail(env, "object_map_fd", EINVAL,
           std::string(bpf_map__name(map)) + " not created: load() first");
    return Napi::Number::New(env, fd);
  }

  Napi::Value ProgFd(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    bpf_object* obj = Live(env, "object_prog_fd");
    std::string name = ToStr(env, "object_prog_fd", info[0], "program name");
    bpf_program* prog = bpf_object__find_program_by_name(obj, name.c_str());
    if (!prog) Fail(env, "object_prog_fd", ENOENT, "no program '" + name + "' in " + path_);
    int fd = bpf_program__fd(prog);
    if (fd < 0) Fail(env, "object_prog_fd", EINVAL, name + " not loaded: load() first");
    return Napi::Number::New(env, fd);
  }

  void Close(const Napi::CallbackInfo& info) {
    bpf_object* obj = Live(info.Env(), "object_close");
    obj_ = nullptr;
    bpf_object__close(obj);  // closes every map and program fd of the object
  }

  bpf_object* obj_ = nullptr;
  std::string path_;
};

// ---------------------------------------------------------------------------------------------
// Ring buffer
// ---------------------------------------------------------------------------------------------

using Record = std::vector<uint8_t>;
using Batch = std::vector<Record>;

struct RingShared;
void DeliverBatch(Napi::Env env, Napi::Function cb, RingShared* ctx, Batch* batch);
using RingTsfn = Napi::TypedThreadSafeFunction<RingShared, Batch, DeliverBatch>;

// State shared by the handle, the poll thread and the TSFN finalizer. Everything but `stop`
// and `pollErr` is touched on the JS thread only, or by the poll thread only (pending).
struct RingShared {
  std::atomic<bool> stop{false};
  std::atomic<int> pollErr{0};
  Batch pending;  // records of the current poll round (poll thread)
  std::thread thread;
  bool tsfnFinalized = false;

  void Join() {
    stop = true;
    if (thread.joinable()) thread.join();
  }
};

constexpr int kPollMs = 100;  // bounds how long close() waits for the poll thread

void DeliverBatch(Napi::Env env, Napi::Function cb, RingShared*, Batch* batch) {
  std::unique_ptr<Batch> own(batch);
  if (env == nullptr || cb.IsEmpty()) return;  // TSFN torn down with records queued
  for (const Record& r : *own) cb.Call({Napi::Buffer<uint8_t>::Copy(env, r.data(), r.size())});
}

int OnSample(void* ctx, void* data, size_t size) {
  auto* s = static_cast<RingShared*>(ctx);
  auto* p = static_cast<const uint8_t*>(data);
  s->pending.emplace_back(p, p + size);
  return 0;
}

// One TSFN call per poll round rather than per record: crossing to the JS thread dominates.
bool Flush(RingShared* s, RingTsfn& tsfn) {
  if (s->pending.empty()) return true;
  auto* batch = new Batch(std::move(s->pending));
  s->pending.clear();
  if (tsfn.BlockingCall(batch) != napi_ok) {  // napi_closing: the environment is going away
    delete batch;
    return false;
  }
  return true;
}

void PollLoop(ring_buffer* rb, RingShared* s, RingTsfn tsfn) {
  while (!s->stop) {
    int n = ring_buffer__poll(rb, kPollMs);
    if (n < 0 && n != -EINTR) {
      s->pollErr = -n;
      break;
    }
    if (!Flush(s, tsfn)) return;
  }
  ring_buffer__consume(rb);  // records submitted before close() are still delivered
  Flush(s, tsfn);
}

// The TSFN stays referenced while the ring buffer is open, so an open ring buffer keeps the
// process alive like any open handle; close() (or GC of the handle) lets it exit.
class RingBufferWrap : public Napi::ObjectWrap<RingBufferWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "RingBuffer", {InstanceMethod<&RingBufferWrap::Close>("close")});
  }

  explicit RingBufferWrap(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<RingBufferWrap>(info) {
    Napi::Env env = info.Env();
    int fd = ToFd(env, "ringbuf_new", info[0], "mapFd");
    if (!info[1].IsFunction()) Fail(env, "ringbuf_new", EINVAL, "onRecord must be a function");
    shared_ = std::make_shared<RingShared>();
    {
      LogCapture cap;  // libbpf explains a wrong map type only through its log
      rb_ = ring_buffer__new(fd, OnSample, shared_.get(), nullptr);
      if (!rb_) Fail(env, "ringbuf_new", ErrOf(-1), "map fd " + std::to_string(fd), cap.Text());
    }
    auto* keep = new std::shared_ptr<RingShared>(shared_);
    try {
      tsfn_ = RingTsfn::New(env, info[1].As<Napi::Function>(), "vxvem.ringBuffer", 0, 1,
                            shared_.get(), OnTsfnFinalize, keep);
    } catch (...) {
      delete keep;
      ring_buffer__free(rb_);
      rb_ = nullptr;
      throw;
    }
    shared_->thread = std::thread(PollLoop, rb_, shared_.get(), tsfn_);
  }

  ~RingBufferWrap() override {
    if (rb_) Stop();
  }

 private:
  // Runs on the JS thread when the TSFN goes away: after close(), or at environment teardown
  // while still open, when the poll thread must stop before the TSFN memory is freed.
  static void OnTsfnFinalize(Napi::Env, std::shared_ptr<RingShared>* keep, RingShared*) {
    (*keep)->tsfnFinalized = true;
    (*keep)->Join();
    delete keep;
  }

  void Stop() {
    shared_->Join();
    ring_buffer__free(rb_);
    rb_ = nullptr;
    if (!shared_->tsfnFinalized) tsfn_.Release();
  }

  void Close(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!rb_) Fail(env, "ringbuf_close", EBADF, "ring buffer is closed");
    Stop();
    if (int err = shared_->pollErr) Fail(env, "ringbuf_poll", err, "polling stopped early");
  }

  ring_buffer* rb_ = nullptr;
  std::shared_ptr<RingShared> shared_;
  RingTsfn tsfn_;
};

// ---------------------------------------------------------------------------------------------
// Addon: per-environment state and the exported functions
// ---------------------------------------------------------------------------------------------

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

class VxvemAddon : public Napi::Addon<VxvemAddon> {
 public:
  VxvemAddon(Napi::Env env, Napi::Object exports) {
    objectCtor_ = Napi::Persistent(BpfObjectWrap::Define(env));
    ringCtor_ = Napi::Persistent(RingBufferWrap::Define(env));
    DefineAddon(exports,
                {
                    InstanceMethod<&VxvemAddon::SetErrorClass>("setErrorClass"),
                    InstanceMethod<&VxvemAddon::OpenObject>("openObject"),
                    InstanceMethod<&VxvemAddon::BtfStruct>("btfStruct"),
                    InstanceMethod<&VxvemAddon::BtfEnum>("btfEnum"),
                    InstanceMethod<&VxvemAddon::MapInfo>("mapInfo"),
                    InstanceMethod<&VxvemAddon::MapLookup>("mapLookup"),
                    InstanceMethod<&VxvemAddon::MapUpdate>("mapUpdate"),
                    InstanceMethod<&VxvemAddon::MapDelete>("mapDelete"),
                    InstanceMethod<&VxvemAddon::MapNextKey>("mapNextKey"),
                    InstanceMethod<&VxvemAddon::MapLookupBatch>("mapLookupBatch"),
                    InstanceMethod<&VxvemAddon::MapLookupAndDeleteBatch>("mapLookupAndDeleteBatch"),
                    InstanceMethod<&VxvemAddon::MapUpdateBatch>("mapUpdateBatch"),
                    InstanceMethod<&VxvemAddon::MapDeleteBatch>("mapDeleteBatch"),
                    InstanceMethod<&VxvemAddon::ObjPin>("objPin"),
                    InstanceMethod<&VxvemAddon::ObjGet>("objGet"),
                    InstanceMethod<&VxvemAddon::CloseFd>("closeFd"),
                    InstanceMethod<&VxvemAddon::PossibleCpusJs>("possibleCpus"),
                    InstanceMethod<&VxvemAddon::ProgInfo>("progInfo"),
                    InstanceMethod<&VxvemAddon::ProgGetFdById>("progGetFdById"),
                    InstanceMethod<&VxvemAddon::XdpAttach>("xdpAttach"),
                    InstanceMethod<&VxvemAddon::XdpDetach>("xdpDetach"),
                    InstanceMethod<&VxvemAddon::XdpQuery>("xdpQuery"),
                    InstanceMethod<&VxvemAddon::LinkPin>("linkPin"),
                    InstanceMethod<&VxvemAddon::LinkUnpin>("linkUnpin"),
                    InstanceMethod<&VxvemAddon::LinkDetach>("linkDetach"),
                    InstanceMethod<&VxvemAddon::TcHookCreate>("tcHookCreate"),
                    InstanceMethod<&VxvemAddon::TcHookDestroy>("tcHookDestroy"),
                    InstanceMethod<&VxvemAddon::TcAttach>("tcAttach"),
                    InstanceMethod<&VxvemAddon::TcDetach>("tcDetach"),
                    InstanceMethod<&VxvemAddon::TcQuery>("tcQuery"),
                    InstanceMethod<&VxvemAddon::ProgTestRun>("progTestRun"),
                    InstanceMethod<&VxvemAddon::RingBuffer>("ringBuffer"),
                    InstanceMethod<&VxvemAddon::NetnsEnter>("netnsEnter"),
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
  void SetErrorClass(const Napi::CallbackInfo& info) {
    if (!info[0].IsFunction()) Fail(info.Env(), "set_error_class", EINVAL, "expected a class");
    errorClass_ = Napi::Persistent(info[0].As<Napi::Function>());
  }

  // ---- object ------------------------------------------------------------------------------

  Napi::Value OpenObject(const Napi::CallbackInfo& info) {
    return objectCtor_.New({info[0], info[1]});
  }

  // ---- maps --------------------------------------------------------------------------------

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

  Napi::Value MapLookupBatch(const Napi::CallbackInfo& info) { return LookupBatch(info, false); }
  Napi::Value MapLookupAndDeleteBatch(const Napi::CallbackInfo& info) {
    return LookupBatch(info, true);
  }

  Napi::Value MapUpdateBatch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* op = "map_update_batch";
    int fd = ToFd(env, op, info[0]);
    Bytes keys = ToBytes(env, op, info[1], "keys");
    Bytes values = ToBytes(env, op, info[2], "values");
    uint32_t count = ToU32(env, op, info[3], "count");
    auto opts = Opts<bpf_map_batch_opts>();
    opts.elem_flags = OptU32(env, op, info[4], "flags", BPF_ANY);
    MapMeta m = GetMapMeta(env, op, fd);
    CheckLen(env, op, "keys", keys.len, static_cast<size_t>(count) * m.info.key_size);
    CheckLen(env, op, "values", values.len, static_cast<size_t>(count) * m.valueBytes);
    uint32_t done = count;
    int r = bpf_map_update_batch(fd, keys.data, values.data, &done, &opts);
    // On early rejections the kernel leaves count untouched: only a smaller one is news.
    if (r)
      Fail(env, op, ErrOf(r),
           done < count ? "stopped after " + std::to_string(done) + " of " +
                              std::to_string(count) + " entries"
                        : "");
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

  // ---- pins and ids ------------------------------------------------------------------------

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

  Napi::Value PossibleCpusJs(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), PossibleCpus(info.Env(), "possible_cpus"));
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
    return o;
  }

  Napi::Value ProgGetFdById(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    uint32_t id = ToU32(env, "prog_get_fd_by_id", info[0], "id");
    int fd = bpf_prog_get_fd_by_id(id);
    if (fd < 0) Fail(env, "prog_get_fd_by_id", ErrOf(fd), "prog id " + std::to_string(id));
    return Napi::Number::New(env, fd);
  }

  // ---- links / attach: XDP -----------------------------------------------------------------

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

  // ---- links / attach: TC ------------------------------------------------------------------

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

  // ---- test run ----------------------------------------------------------------------------

  Napi::Value ProgTestRun(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* op = "prog_test_run";
    int fd = ToFd(env, op, info[0], "progFd");
    auto o = ToObject(env, op, info[1], "options");
    Bytes data = ToBytes(env, op, o.Get("data"), "data");
    uint32_t dataOut = OptU32(env, op, o.Get("dataSizeOut"), "dataSizeOut",
                              static_cast<uint32_t>(data.len + 256));
    Bytes ctx{nullptr, 0};
    auto ctxVal = o.Get("ctx");
    if (!ctxVal.IsUndefined() && !ctxVal.IsNull()) ctx = ToBytes(env, op, ctxVal, "ctx");
    uint32_t ctxOut = OptU32(env, op, o.Get("ctxSizeOut"), "ctxSizeOut",
                             static_cast<uint32_t>(ctx.len));
    std::vector<uint8_t> outData(dataOut), outCtx(ctxOut);
    auto opts = Opts<bpf_test_run_opts>();
    opts.data_in = data.data;
    opts.data_size_in = static_cast<uint32_t>(data.len);
    opts.data_out = outData.empty() ? nullptr : outData.data();
    opts.data_size_out = dataOut;
    if (ctx.len) {
      opts.ctx_in = ctx.data;
      opts.ctx_size_in = static_cast<uint32_t>(ctx.len);
    }
    if (ctxOut) {
      opts.ctx_out = outCtx.data();
      opts.ctx_size_out = ctxOut;
    }
    opts.repeat = static_cast<int>(OptU32(env, op, o.Get("repeat"), "repeat", 0));
    opts.flags = OptU32(env, op, o.Get("flags"), "flags", 0);
    int r = bpf_prog_test_run_opts(fd, &opts);
    if (r) Fail(env, op, ErrOf(r), "prog fd " + std::to_string(fd));
    auto res = Napi::Object::New(env);
    // Programs return int: TC_ACT_UNSPEC must read as -1, not 4294967295.
    res.Set("retval", static_cast<int32_t>(opts.retval));
    res.Set("data", Napi::Buffer<uint8_t>::Copy(env, outData.data(),
                                                 std::min(opts.data_size_out, dataOut)));
    if (ctxOut)
      res.Set("ctx", Napi::Buffer<uint8_t>::Copy(env, outCtx.data(),
                                                  std::min(opts.ctx_size_out, ctxOut)));
    res.Set("duration", opts.duration);
    return res;
  }

  // ---- ring buffer -------------------------------------------------------------------------

  Napi::Value RingBuffer(const Napi::CallbackInfo& info) {
    return ringCtor_.New({info[0], info[1]});
  }

  // ---- BTF ---------------------------------------------------------------------------------

  using BtfPtr = std::unique_ptr<btf, decltype(&btf__free)>;

  BtfPtr ParseBtf(Napi::Env env, const char* op, const Napi::Value& pathVal) {
    std::string path = ToStr(env, op, pathVal, "objPath");
    LogCapture cap;
    btf* b = btf__parse_elf(path.c_str(), nullptr);
    if (!b) Fail(env, op, ErrOf(-1), path, cap.Text());
    return BtfPtr(b, btf__free);
  }

  Napi::Value BtfStruct(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* op = "btf_struct";
    BtfPtr b = ParseBtf(env, op, info[0]);
    std::string name = ToStr(env, op, info[1], "name");
    // Structs, unions, and typedefs of either.
    int32_t id = btf__find_by_name_kind(b.get(), name.c_str(), BTF_KIND_STRUCT);
    if (id < 0) id = btf__find_by_name_kind(b.get(), name.c_str(), BTF_KIND_UNION);
    if (id < 0) {
      id = btf__find_by_name_kind(b.get(), name.c_str(), BTF_KIND_TYPEDEF);
      if (id >= 0) id = btf__resolve_type(b.get(), id);
    }
    const btf_type* t = id >= 0 ? btf__type_by_id(b.get(), id) : nullptr;
    if (!t || !(btf_is_struct(t) || btf_is_union(t)))
      Fail(env, op, ENOENT, "no struct '" + name + "' in the BTF");
    auto members = Napi::Array::New(env);
    const btf_member* m = btf_members(t);
    for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
      int64_t size = btf__resolve_size(b.get(), m->type);
      if (size < 0) Fail(env, op, ErrOf(size), "size of " + name + " member " + std::to_string(i));
      auto mo = Napi::Object::New(env);
      mo.Set("name", btf__name_by_offset(b.get(), m->name_off));
      mo.Set("offset", btf_member_bit_offset(t, i) / 8);
      mo.Set("size", static_cast<double>(size));
      members.Set(i, mo);
    }
    auto res = Napi::Object::New(env);
    res.Set("size", t->size);
    res.Set("members", members);
    return res;
  }

  Napi::Value BtfEnum(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* op = "btf_enum";
    BtfPtr b = ParseBtf(env, op, info[0]);
    std::string name = ToStr(env, op, info[1], "name");
    int32_t id = btf__find_by_name_kind(b.get(), name.c_str(), BTF_KIND_ENUM);
    if (id < 0) id = btf__find_by_name_kind(b.get(), name.c_str(), BTF_KIND_ENUM64);
    const btf_type* t = id >= 0 ? btf__type_by_id(b.get(), id) : nullptr;
    if (!t) Fail(env, op, ENOENT, "no enum '" + name + "' in the BTF");
    bool isSigned = btf_kflag(t);  // BTF marks signed enums with kind_flag
    auto res = Napi::Array::New(env);
    for (uint16_t i = 0; i < btf_vlen(t); i++) {
      auto eo = Napi::Object::New(env);
      double value;
      uint32_t nameOff;
      if (btf_is_enum(t)) {
        const struct btf_enum* e = btf_enum(t) + i;
        nameOff = e->name_off;
        value = isSigned ? static_cast<double>(static_cast<int32_t>(e->val))
                         : static_cast<double>(static_cast<uint32_t>(e->val));
      } else {
        const struct btf_enum64* e = btf_enum64(t) + i;
        nameOff = e->name_off;
        uint64_t v = btf_enum64_value(e);
        value = isSigned ? static_cast<double>(static_cast<int64_t>(v)) : static_cast<double>(v);
      }
      eo.Set("name", btf__name_by_offset(b.get(), nameOff));
      eo.Set("value", value);
      res.Set(i, eo);
    }
    return res;
  }

  Napi::FunctionReference errorClass_;
  Napi::FunctionReference objectCtor_;
  Napi::FunctionReference ringCtor_;
};

void Fail(Napi::Env env, const char* op, int err, const std::string& what,
          const std::string& log) {
  if (err <= 0) err = EINVAL;
  if (err == kKernelENOTSUPP) err = EOPNOTSUPP;
  // Recent kernels answer EBADFD for a closed fd in some bpf() commands (BPF_OBJ_GET_INFO_BY_FD,
  // which every map operation here starts with); older ones and all other calls say EBADF.
  if (err == EBADFD) err = EBADF;
  std::string reason;
  if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END) {
    char buf[128];
    libbpf_strerror(err, buf, sizeof(buf));
    reason = std::string(buf) + " [libbpf " + std::to_string(err) + "]";
    err = SystemErrno(err);
  } else {
    reason = std::strerror(err);
  }
  std::string msg = std::string(op) + ": ";
  if (!what.empty()) msg += what + ": ";
  msg += reason + " (" + ErrnoName(err) + ")";
  if (!log.empty()) msg += "\n" + log.substr(0, log.find_last_not_of('\n') + 1);
  auto* addon = env.GetInstanceData<VxvemAddon>();
  if (!addon) throw Napi::Error::New(env, msg);
  throw Napi::Error(env, addon->MakeError(env, msg, op, err));
}

// ---------------------------------------------------------------------------------------------
// Module
// ---------------------------------------------------------------------------------------------

struct GlobalInit {
  GlobalInit() {
    const char* dbg = std::getenv("VXVEM_LIBBPF_DEBUG");
    g_debug = dbg && std::strcmp(dbg, "1") == 0;
    libbpf_set_print(PrintFn);
  }
} g_init;

}  // namespace

NODE_API_ADDON(VxvemAddon)
