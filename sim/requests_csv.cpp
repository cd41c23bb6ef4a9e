#include "sim/requests_csv.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

#include "sim/csv_field.h"

namespace llmsim::sim {
namespace {

/// Fields are written straight into the output through a cursor, so that a row costs one
/// bounds check, not one per field (requests.csv has a row per request). Each put_* writes
/// at p and returns the end of what it wrote.

/// The two digits of n < 100, a leading zero included.
char* put_2_digits(char* p, std::uint32_t n) {
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  std::memcpy(p, &kPairs[std::size_t{2} * n], 2);
  return p + 2;
}

/// The four digits of n < 10^4, leading zeros included.
char* put_4_digits(char* p, std::uint32_t n) { return put_2_digits(put_2_digits(p, n / 100), n % 100); }

/// The six digits of n < 10^6, leading zeros included (the decimals of a 6-decimal number).
char* put_6_digits(char* p, std::uint32_t n) { return put_4_digits(put_2_digits(p, n / 10000), n % 10000); }

/// The eight digits of n < 10^8, leading zeros included: two independent 4-digit halves, in
/// 32-bit arithmetic.
char* put_8_digits(char* p, std::uint32_t n) { return put_4_digits(put_4_digits(p, n / 10000), n % 10000); }

/// n < 100 without leading zeros ("0" for 0).
char* put_up_to_2_digits(char* p, std::uint32_t n) {
  if (n >= 10) return put_2_digits(p, n);
  *p = static_cast<char>('0' + n);
  return p + 1;
}

/// n < 10^4 without leading zeros ("0" for 0).
char* put_up_to_4_digits(char* p, std::uint32_t n) {
  if (n < 100) return put_up_to_2_digits(p, n);
  return put_2_digits(put_up_to_2_digits(p, n / 100), n % 100);
}

/// n < 10^8 without leading zeros ("0" for 0).
char* put_up_to_8_digits(char* p, std::uint32_t n) {
  if (n < 10000) return put_up_to_4_digits(p, n);
  return put_4_digits(put_up_to_4_digits(p, n / 10000), n % 10000);
}

/// n in decimal without leading zeros, as std::to_chars writes it. The digits come in 8-digit
/// chunks split off with at most two 64-bit divisions (n < 2^64 < 10^20: at most 4 digits
/// above the lowest 16); within a chunk, 32-bit arithmetic only.
char* put_uint(char* p, std::uint64_t n) {
  constexpr std::uint64_t k1e8 = 100000000;
  if (n < k1e8) return put_up_to_8_digits(p, static_cast<std::uint32_t>(n));
  const std::uint64_t high = n / k1e8;
  const auto low = static_cast<std::uint32_t>(n % k1e8);
  if (high < k1e8) {
    p = put_up_to_8_digits(p, static_cast<std::uint32_t>(high));
  } else {
    p = put_up_to_8_digits(p, static_cast<std::uint32_t>(high / k1e8));
    p = put_8_digits(p, static_cast<std::uint32_t>(high % k1e8));
  }
  return put_8_digits(p, low);
}

/// value in decimal, as std::to_chars writes it (INT64_MIN included).
char* put_int(char* p, std::int64_t value) {
  if (value >= 0) return put_uint(p, static_cast<std::uint64_t>(value));
  *p = '-';
  return put_uint(p + 1, std::uint64_t{0} - static_cast<std::uint64_t>(value));  // |value|, modulo 2^64
}

/// q millionths as a decimal with exactly 6 decimals: q / 10^6, '.', q % 10^6 zero-padded.
char* put_millionths(char* p, std::uint64_t q) {
  p = put_uint(p, q / 1000000);
  *p++ = '.';
  return put_6_digits(p, static_cast<std::uint32_t>(q % 1000000));
}

/// Non-negative nanoseconds as milliseconds with exactly 6 decimals, by integer arithmetic.
/// (A negative ns is outside the contract.)
char* put_ns_as_ms(char* p, std::int64_t ns) { return put_millionths(p, static_cast<std::uint64_t>(ns)); }

__extension__ typedef unsigned __int128 Uint128;

/// A double with 6 decimals, as std::to_chars(fixed, 6) writes it (the exact binary value
/// rounded half to even); at most kMaxFixed6 characters.
constexpr std::size_t kMaxFixed6 = 340;
char* put_fixed6(char* p, double value) {
  // Non-negative normal values below 2^33 (TPOT in ms) in integer arithmetic: value =
  // m 2^e exactly, so value x 10^6 = m 10^6 2^e, rounded to an integer q, is q / 10^6.
  const auto bits = std::bit_cast<std::uint64_t>(value);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
  if (std::signbit(value) || biased == 0 || value >= 8589934592.0) {
    return std::to_chars(p, p + kMaxFixed6, value, std::chars_format::fixed, 6).ptr;
  }
  const std::uint64_t m = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1} << 52);
  const int e = biased - 1075;
  const Uint128 scaled = static_cast<Uint128>(m) * 1000000u;  // < 2^73
  std::uint64_t q = 0;
  if (e >= 0) {
    q = static_cast<std::uint64_t>(scaled << e);  // value < 2^33: q < 2^53
  } else if (e > -100) {
    const int shift = -e;
    q = static_cast<std::uint64_t>(scaled >> shift);
    const Uint128 rest = scaled - (static_cast<Uint128>(q) << shift);
    const Uint128 half = static_cast<Uint128>(1) << (shift - 1);
    if (rest > half || (rest == half && (q & 1) != 0)) ++q;
  }  // else value < 2^-47: rounds to 0
  return put_millionths(p, q);
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
  // 16 integer fields of at most 20 digits and a sign, 3 ms fields, the TPOT field, the
  // status and reason words, separators: far below max_row.
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
  p = put_int(p, static_cast<std::int64_t>(r.id));
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
