// Ring buffer: a BPF_MAP_TYPE_RINGBUF polled on a background thread; records reach the JS
// callback in batches through a thread-safe function.

#include "addon.h"

#include <bpf/libbpf.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <thread>
#include <vector>

namespace vxvem {
namespace {

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

}  // namespace

Napi::Function DefineRingBufferClass(Napi::Env env) { return RingBufferWrap::Define(env); }

}  // namespace vxvem
