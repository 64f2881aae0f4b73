// libbpf log capture: libbpf's warnings and the verifier log become part of the error message.

#include "addon.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace vxvem {
namespace {

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

}  // namespace

void InitLibbpfLog() {
  const char* dbg = std::getenv("VXVEM_LIBBPF_DEBUG");
  g_debug = dbg && std::strcmp(dbg, "1") == 0;
  libbpf_set_print(PrintFn);
}

LogCapture::LogCapture() : prev_(tls_capture) { tls_capture = &buf_; }

LogCapture::~LogCapture() { tls_capture = prev_; }

// A verifier log can reach megabytes; its start (the program) and its end (the failing
// instruction and the reason) are what matter.
std::string LogCapture::Text() const {
  constexpr size_t kHead = 8 * 1024, kTail = 56 * 1024;
  if (buf_.size() <= kHead + kTail) return buf_;
  return buf_.substr(0, kHead) + "\n[... " + std::to_string(buf_.size() - kHead - kTail) +
         " bytes of libbpf output omitted ...]\n" + buf_.substr(buf_.size() - kTail);
}

}  // namespace vxvem
