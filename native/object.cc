// Object: a bpf_object opened from an ELF file, described, then loaded (with its pinned maps).

#include "addon.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>

namespace vxvem {
namespace {

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

}  // namespace

Napi::Function DefineObjectClass(Napi::Env env) { return BpfObjectWrap::Define(env); }

}  // namespace vxvem
