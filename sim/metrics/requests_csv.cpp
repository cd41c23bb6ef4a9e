#include "sim/metrics/requests_csv.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <utility>

#include "sim/metrics/csv_field.h"

namespace llmsim::sim {
namespace {

/// Fields are written straight into the output through a cursor, so that a row costs one
/// bounds check, not one per field (requests.csv has a row per request). Each put_* writes
/// at p and returns the end of what it wrote.

/// At most this many characters: an integer (20 digits and a sign), a double with 6
/// decimals (309 digits, a sign, a point and 6 decimals).
constexpr std::ptrdiff_t kMaxInt = 21;
constexpr std::ptrdiff_t kMaxFixed6 = 317;

template <typename Integer>
char* put_int(char* p, Integer value) {
  return std::to_chars(p, p + kMaxInt, value).ptr;
}

/// Non-negative nanoseconds as milliseconds with exactly 6 decimals, by integer arithmetic:
/// ns / 10^6, a point, ns % 10^6 with its leading zeros. (A negative ns is outside the
/// contract.)
char* put_ns_as_ms(char* p, std::int64_t ns) {
  const auto q = static_cast<std::uint64_t>(ns);
  p = put_int(p, q / 1000000);
  *p++ = '.';
  const std::uint64_t decimals = q % 1000000;
  for (std::uint64_t power = 100000; power > 1 && decimals < power; power /= 10) *p++ = '0';
  return put_int(p, decimals);
}

/// A double with 6 decimals (the exact binary value rounded half to even).
char* put_fixed6(char* p, double value) {
  return std::to_chars(p, p + kMaxFixed6, value, std::chars_format::fixed, 6).ptr;
}

char* put_text(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

constexpr std::string_view kHeader =
    "id,pool,replica,status,reject_reason,arrival_ns,scheduled_ns,first_token_ns,"
    "completion_ns,input_tokens,output_tokens,generated_tokens,cached_tokens,preemptions,"
    "queueing_ms,ttft_ms,tpot_ms,e2el_ms\n";

}  // namespace

RequestsCsvFormatter::RequestsCsvFormatter(const std::vector<std::string>& pool_names, ChunkSink sink)
    : sink_(std::move(sink)) {
  std::size_t longest_pool = 0;
  for (const std::string& name : pool_names) {
    append_csv_field(pools_.emplace_back(), name);
    longest_pool = std::max(longest_pool, pools_.back().size());
  }
  // 16 integer fields, 3 ms fields, the TPOT field, the status and reason words,
  // separators: far below max_row.
  const std::size_t max_row = 1024 + kMaxFixed6 + longest_pool;
  // Not zeroed: every byte handed to the sink is written first.
  buffer_ = std::make_unique_for_overwrite<char[]>(kChunkBytes + std::max(max_row, kHeader.size()));
  end_ = put_text(buffer_.get(), kHeader);
}

void RequestsCsvFormatter::flush() {
  sink_(std::string_view(buffer_.get(), static_cast<std::size_t>(end_ - buffer_.get())));
  end_ = buffer_.get();
}

void RequestsCsvFormatter::add(const RequestRecord& r) {
  char* p = end_;
  p = put_int(p, r.id);
  *p++ = ',';
  if (r.pool >= 0 && static_cast<std::size_t>(r.pool) < pools_.size()) {
    p = put_text(p, pools_[static_cast<std::size_t>(r.pool)]);
  }
  *p++ = ',';
  p = put_int(p, r.replica);
  *p++ = ',';
  p = put_text(p, to_string(r.status));
  *p++ = ',';
  p = put_text(p, to_string(r.reject_reason));
  *p++ = ',';
  p = put_int(p, r.arrival_ns);
  *p++ = ',';
  for (const std::int64_t ns : {r.scheduled_ns, r.first_token_ns, r.completion_ns}) {
    if (ns >= 0) p = put_int(p, ns);
    *p++ = ',';
  }
  for (const std::int64_t count : {r.input_tokens, r.output_tokens, r.generated_tokens, r.cached_tokens,
                                   static_cast<std::int64_t>(r.preemptions)}) {
    p = put_int(p, count);
    *p++ = ',';
  }
  if (r.scheduled_ns >= 0) p = put_ns_as_ms(p, r.scheduled_ns - r.arrival_ns);
  *p++ = ',';
  if (r.first_token_ns >= 0) p = put_ns_as_ms(p, r.first_token_ns - r.arrival_ns);
  *p++ = ',';
  if (r.status == RequestStatus::completed && r.output_tokens > 1) {
    const auto decode_ns = static_cast<double>(r.completion_ns - r.first_token_ns);
    p = put_fixed6(p, decode_ns / static_cast<double>(r.output_tokens - 1) / 1e6);
  }
  *p++ = ',';
  if (r.completion_ns >= 0) p = put_ns_as_ms(p, r.completion_ns - r.arrival_ns);
  *p++ = '\n';
  end_ = p;
  if (end_ >= buffer_.get() + kChunkBytes) flush();
}

RequestsCsvStream::RequestsCsvStream(const std::string& path, const std::vector<std::string>& pool_names)
    : file_(path), formatter_(pool_names, [this](std::string_view chunk) { file_.write(chunk); }) {}

void RequestsCsvStream::commit() {
  formatter_.flush();
  file_.commit();
}

}  // namespace llmsim::sim
