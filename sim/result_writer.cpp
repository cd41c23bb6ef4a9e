#include "sim/result_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <vector>

#include "core/input_error.h"
#include "sim/csv_field.h"

namespace llmsim::sim {
namespace {

/// Fields are written straight into the output through a cursor, so that a row costs one
/// bounds check, not one per field (requests.csv has a row per request).
char* put_int(char* p, std::int64_t value) {
  if (value < 0) {
    if (value == std::numeric_limits<std::int64_t>::min()) return std::to_chars(p, p + 24, value).ptr;
    *p++ = '-';
    value = -value;
  }
  // The digit count first (from the bit width: log10(2) ~ 1233 / 4096), then two digits at
  // a time from a table, right to left straight into the output.
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  static constexpr std::uint64_t kPowers[] = {1ULL,
                                              10ULL,
                                              100ULL,
                                              1000ULL,
                                              10000ULL,
                                              100000ULL,
                                              1000000ULL,
                                              10000000ULL,
                                              100000000ULL,
                                              1000000000ULL,
                                              10000000000ULL,
                                              100000000000ULL,
                                              1000000000000ULL,
                                              10000000000000ULL,
                                              100000000000000ULL,
                                              1000000000000000ULL,
                                              10000000000000000ULL,
                                              100000000000000000ULL,
                                              1000000000000000000ULL,
                                              10000000000000000000ULL};
  auto u = static_cast<std::uint64_t>(value);
  auto digits = static_cast<std::size_t>((std::bit_width(u | 1) * 1233) >> 12);  // floor or one less
  if (digits < std::size(kPowers) && u >= kPowers[digits]) ++digits;
  if (digits == 0) digits = 1;
  char* q = p + digits;
  while (u >= 100) {
    const auto pair = static_cast<std::size_t>(u % 100) * 2;
    u /= 100;
    *--q = kPairs[pair + 1];
    *--q = kPairs[pair];
  }
  if (u >= 10) {
    const auto pair = static_cast<std::size_t>(u) * 2;
    *--q = kPairs[pair + 1];
    *--q = kPairs[pair];
  } else {
    *--q = static_cast<char>('0' + u);
  }
  return p + digits;
}

/// Non-negative nanoseconds as milliseconds with exactly 6 decimals, by integer arithmetic.
char* put_ns_as_ms(char* p, std::int64_t ns) {
  p = put_int(p, ns / 1000000);
  *p = '.';
  std::int64_t rest = ns % 1000000;
  for (int i = 6; i >= 1; --i) {
    p[i] = static_cast<char>('0' + rest % 10);
    rest /= 10;
  }
  return p + 7;
}

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
  p = put_int(p, static_cast<std::int64_t>(q / 1000000));
  *p = '.';
  std::uint64_t fraction = q % 1000000;
  for (int i = 6; i >= 1; --i) {
    p[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  return p + 7;
}

char* put_text(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

/// Writes the file at `path` from produce(sink), where sink(std::string_view) appends a
/// chunk. Throws core::InputError naming the file when it cannot be written.
template <typename Produce>
void write_file_from(const std::string& path, Produce&& produce) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  produce([&file](std::string_view chunk) {
    if (file) file.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  });
  if (file) file.close();
  if (!file) {
    throw core::InputError(path, 0, "", std::string("cannot write the file: ") + std::strerror(errno));
  }
}

void write_file(const std::string& path, const std::string& text) {
  write_file_from(path, [&text](auto&& sink) { sink(text); });
}

}  // namespace

std::string summary_json_text(const RunResult& result) { return result.summary.dump(2) + "\n"; }

namespace {

/// Formats requests.csv (header first) into a buffer of about kCsvChunkBytes, handing each
/// full buffer to emit(std::string_view) and the rest at the end: a 10-million-request run
/// never holds its whole CSV in memory.
constexpr std::size_t kCsvChunkBytes = std::size_t{1} << 20;

template <typename Emit>
void format_requests_csv(const RunResult& result, Emit&& emit) {
  constexpr std::string_view kHeader =
      "id,pool,replica,status,reject_reason,arrival_ns,scheduled_ns,first_token_ns,"
      "completion_ns,input_tokens,output_tokens,generated_tokens,cached_tokens,preemptions,"
      "queueing_ms,ttft_ms,tpot_ms,e2el_ms\n";
  std::vector<std::string> pools;
  std::size_t longest_pool = 0;
  for (const std::string& name : result.pool_names) {
    append_csv_field(pools.emplace_back(), name);
    longest_pool = std::max(longest_pool, pools.back().size());
  }
  // 16 integer fields of at most 20 digits and a sign, 3 ms fields, the TPOT field, the
  // status and reason words, separators: far below this.
  const std::size_t max_row = 1024 + kMaxFixed6 + longest_pool;
  std::vector<char> buffer(kCsvChunkBytes + max_row + kHeader.size());
  char* p = put_text(buffer.data(), kHeader);
  for (const RequestRecord& r : result.requests) {
    if (static_cast<std::size_t>(p - buffer.data()) >= kCsvChunkBytes) {
      emit(std::string_view(buffer.data(), static_cast<std::size_t>(p - buffer.data())));
      p = buffer.data();
    }
    p = put_int(p, static_cast<std::int64_t>(r.id));
    *p++ = ',';
    if (r.pool >= 0 && static_cast<std::size_t>(r.pool) < pools.size()) {
      p = put_text(p, pools[static_cast<std::size_t>(r.pool)]);
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
  }
  emit(std::string_view(buffer.data(), static_cast<std::size_t>(p - buffer.data())));
}

}  // namespace

std::string requests_csv_text(const RunResult& result) {
  std::string out;
  format_requests_csv(result, [&out](std::string_view chunk) { out.append(chunk); });
  return out;
}

void write_summary_json(const RunResult& result, const std::string& path) {
  write_file(path, summary_json_text(result));
}

void write_requests_csv(const RunResult& result, const std::string& path) {
  write_file_from(path, [&result](auto&& sink) { format_requests_csv(result, sink); });
}

}  // namespace llmsim::sim
