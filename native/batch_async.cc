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
  UpdateBatchArgs a = ParseUpdateBatch(info, op);
  // Per-CPU values have another size in user space: those take mapUpdateBatch.
  if (a.meta.percpu) Fail(env, op, EINVAL, "per-CPU maps are not supported by the threaded batch");

  auto job = std::make_unique<BatchJob>();
  job->fd = a.fd;
  job->count = a.count;
  job->flags = a.flags;
  job->keys.assign(a.keys.data, a.keys.data + a.keys.len);
  job->values.assign(a.values.data, a.values.data + a.values.len);
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
  if (job->ret) FailUpdateBatch(env, op, job->ret, job->done, job->count);
  return Napi::Number::New(env, job->done);
}

}  // namespace vxvem
