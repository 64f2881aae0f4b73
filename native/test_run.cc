// Test run: BPF_PROG_TEST_RUN of a loaded program on a packet (and context) given by the caller.

#include "addon.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <vector>

namespace vxvem {

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

}  // namespace vxvem
