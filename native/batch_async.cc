// Batch updates that run on a thread of their own, so that the caller can encode the next
// chunk while the kernel inserts this one (bulk MAC installs: the JS encoding and the
// kernel's inserts cost about the same, and a host has more than one CPU).
//
// mapUpdateBatchStart copies the chunk and returns a job id at once; mapUpdateBatchWait
// joins the job and returns what mapUpdateBatch would have (entries written, or the error).

#include "addon.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <thread>
#include <vector>

namespace vxvem {
namespace {

struct BatchJob {
  int fd;
  uint32_t count;
  uint32_t done;
  uint32_t flags;
  int ret = 0;
  std::vector<uint8_t> keys;
  std::vector<uint8_t> values;
  std::thread thread;
};

// Touched only from the JS thread; the worker sees its own job only.
std::map<uint32_t, std::unique_ptr<BatchJob>> g_jobs;
uint32_t g_next_id = 1;

void RunJob(BatchJob* job) {
  auto opts = bpf_map_batch_opts{};
  opts.sz = sizeof(opts);
  opts.elem_flags = job->flags;
  job->done = job->count;
  job->ret = bpf_map_update_batch(job->fd, job->keys.data(), job->values.data(), &job->done, &opts);
}

}  // namespace

Napi::Value MapUpdateBatchStart(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_update_batch";
  int fd = ToFd(env, op, info[0]);
  Bytes keys = ToBytes(env, op, info[1], "keys");
  Bytes values = ToBytes(env, op, info[2], "values");
  uint32_t count = ToU32(env, op, info[3], "count");
  uint32_t flags = OptU32(env, op, info[4], "flags", BPF_ANY);

  MapMeta m = GetMapMeta(env, op, fd);
  // Per-CPU values have another size in user space: those take mapUpdateBatch.
  if (m.percpu) Fail(env, op, EINVAL, "per-CPU maps are not supported by the threaded batch");
  CheckLen(env, op, "keys", keys.len, static_cast<size_t>(count) * m.info.key_size);
  CheckLen(env, op, "values", values.len, static_cast<size_t>(count) * m.valueBytes);

  auto job = std::make_unique<BatchJob>();
  job->fd = fd;
  job->count = count;
  job->flags = flags;
  job->keys.assign(keys.data, keys.data + keys.len);
  job->values.assign(values.data, values.data + values.len);
  job->thread = std::thread(RunJob, job.get());
  uint32_t id = g_next_id++;
  g_jobs.emplace(id, std::move(job));
  return Napi::Number::New(env, id);
}

Napi::Value MapUpdateBatchWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* op = "map_update_batch";
  uint32_t id = ToU32(env, op, info[0], "job");
  auto it = g_jobs.find(id);
  if (it == g_jobs.end()) Fail(env, op, EINVAL, "no batch job " + std::to_string(id));
  std::unique_ptr<BatchJob> job = std::move(it->second);
  g_jobs.erase(it);
  job->thread.join();
  // On early rejections the kernel leaves count untouched: only a smaller one is news.
  if (job->ret)
    Fail(env, op, ErrOf(job->ret),
         job->done < job->count ? "stopped after " + std::to_string(job->done) + " of " +
                                      std::to_string(job->count) + " entries"
                                : "");
  return Napi::Number::New(env, job->done);
}

}  // namespace vxvem
