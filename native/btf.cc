// BTF: struct layouts and enum values read from a compiled object's BTF, by name.

#include "addon.h"

#include <bpf/btf.h>

#include <cerrno>
#include <memory>

namespace vxvem {
namespace {

using BtfPtr = std::unique_ptr<btf, decltype(&btf__free)>;

BtfPtr ParseBtf(Napi::Env env, const char* op, const Napi::Value& pathVal) {
  std::string path = ToStr(env, op, pathVal, "objPath");
  LogCapture cap;
  btf* b = btf__parse_elf(path.c_str(), nullptr);
  if (!b) Fail(env, op, ErrOf(-1), path, cap.Text());
  return BtfPtr(b, btf__free);
}

}  // namespace

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

}  // namespace vxvem
