// Errors and arguments: how a failure becomes a BpfError message with a positive errno, and
// the conversions of JavaScript arguments, which fail the same way.

#include "addon.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cmath>

namespace vxvem {
namespace {

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

bool IsBytes(const Napi::Value& v) {
  if (v.IsBuffer()) return true;
  return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

double ToNumber(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) Fail(env, op, EINVAL, std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d)
    Fail(env, op, EINVAL, std::string(name) + " must be an integer");
  return d;
}

}  // namespace

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
  ThrowBpfError(env, msg, op, err);
}

Bytes ToBytes(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  if (!IsBytes(v)) Fail(env, op, EINVAL, std::string(name) + " must be a Buffer");
  auto a = v.As<Napi::Uint8Array>();
  return {a.Data(), a.ByteLength()};
}

uint32_t ToU32(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
  double d = ToNumber(env, op, v, name);
  if (d < 0 || d > 4294967295.0)
    Fail(env, op, EINVAL, std::string(name) + " out of range for u32");
  return static_cast<uint32_t>(d);
}

// Negative fds are passed through so the kernel answers EBADF like for any stale fd.
int ToFd(Napi::Env env, const char* op, const Napi::Value& v, const char* name) {
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

}  // namespace vxvem
