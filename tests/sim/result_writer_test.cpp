#include "sim/metrics/result_writer.h"

#include <doctest/doctest.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "sim/metrics/summary_table.h"
#include "sim/cluster/simulator.h"
#include "sim_test_support.h"

using namespace llmsim::sim;
using namespace llmsim::sim::testing;

TEST_CASE("requests.csv prints nanoseconds as integers and milliseconds with six decimals") {
  RunResult result;
  result.pool_names = {"gen,erator"};
  RequestRecord done;
  done.id = 4;
  done.pool = 0;
  done.replica = 1;
  done.status = RequestStatus::completed;
  done.arrival_ns = 1'000;
  done.scheduled_ns = 2'500;
  done.first_token_ns = 10'001'000;
  done.completion_ns = 40'001'000;
  done.input_tokens = 100;
  done.output_tokens = 4;
  done.generated_tokens = 4;
  done.cached_tokens = 16;
  RequestRecord rejected;
  rejected.id = 5;
  rejected.pool = 0;
  rejected.status = RequestStatus::rejected;
  rejected.reject_reason = RejectReason::kv_capacity;
  rejected.arrival_ns = 7;
  rejected.input_tokens = 99999;
  rejected.output_tokens = 1;
  result.requests = {done, rejected};
  const std::string csv = requests_csv_text(result);
  const std::string expected =
      "id,pool,replica,status,reject_reason,arrival_ns,scheduled_ns,first_token_ns,"
      "completion_ns,input_tokens,output_tokens,generated_tokens,cached_tokens,preemptions,"
      "queueing_ms,ttft_ms,tpot_ms,e2el_ms\n"
      // TPOT = (40,001,000 - 10,001,000) / 3 ns = 10 ms
      "4,\"gen,erator\",1,completed,,1000,2500,10001000,40001000,100,4,4,16,0,"
      "0.001500,10.000000,10.000000,40.000000\n"
      "5,\"gen,erator\",-1,rejected,kv_capacity,7,,,,99999,1,0,0,0,,,,\n";
  CHECK(csv == expected);
}

/// The tpot_ms field of every row of requests.csv (the 17th column).
std::vector<std::string> tpot_column(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t line = csv.find('\n') + 1;
  while (line < csv.size()) {
    const std::size_t end = csv.find('\n', line);
    std::size_t field = line;
    for (int comma = 0; comma < 16; ++comma) field = csv.find(',', field) + 1;
    out.push_back(csv.substr(field, csv.find(',', field) - field));
    line = end + 1;
  }
  return out;
}

TEST_CASE("integers of every digit count are printed as std::to_string prints them") {
  // Around each power of ten (where the digit count changes), and the int64 extremes.
  std::vector<std::int64_t> values{0, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                   -1, -10, -99};
  for (std::int64_t power = 10; power <= std::numeric_limits<std::int64_t>::max() / 10; power *= 10) {
    for (const std::int64_t v : {power - 1, power, power + 1, 9 * power + (power - 1)}) values.push_back(v);
  }
  RunResult result;
  result.pool_names = {"p"};
  for (const std::int64_t v : values) {
    RequestRecord r;
    r.id = static_cast<std::uint64_t>(v < 0 ? 0 : v);
    r.pool = 0;
    r.arrival_ns = v;
    r.input_tokens = v;
    result.requests.push_back(r);
  }
  const std::string csv = requests_csv_text(result);
  std::size_t line_start = csv.find('\n') + 1;
  for (const std::int64_t v : values) {
    CAPTURE(v);
    const std::size_t line_end = csv.find('\n', line_start);
    const std::string line = csv.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    const std::string id = std::to_string(v < 0 ? 0 : v);
    // id,pool,replica,status,reject_reason,arrival_ns,...,input_tokens at column 10
    std::vector<std::string> fields;
    std::size_t from = 0;
    for (std::size_t comma = line.find(','); comma != std::string::npos; comma = line.find(',', from)) {
      fields.push_back(line.substr(from, comma - from));
      from = comma + 1;
    }
    REQUIRE(fields.size() >= 10);
    CHECK(fields[0] == id);
    CHECK(fields[5] == std::to_string(v));
    CHECK(fields[9] == std::to_string(v));
  }
}

/// The fields of every row of requests.csv after the header (no field may hold a comma).
std::vector<std::vector<std::string>> csv_rows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::size_t line = csv.find('\n') + 1;
  while (line < csv.size()) {
    const std::size_t end = csv.find('\n', line);
    std::vector<std::string>& fields = rows.emplace_back();
    std::size_t from = line;
    for (std::size_t comma = csv.find(',', from); comma < end; comma = csv.find(',', from)) {
      fields.push_back(csv.substr(from, comma - from));
      from = comma + 1;
    }
    fields.push_back(csv.substr(from, end - from));
    line = end + 1;
  }
  return rows;
}

/// 0, 9, 10, 99, 100, 10^k - 1 and 10^k for every k up to 18, their negatives, the int64
/// extremes, and 300 pseudo-random values of every magnitude and sign (fixed seed).
std::vector<std::int64_t> formatting_test_values() {
  std::vector<std::int64_t> values{0, 9, 10, 99, 100, std::numeric_limits<std::int64_t>::max(),
                                   std::numeric_limits<std::int64_t>::min(),
                                   std::numeric_limits<std::int64_t>::min() + 1};
  std::int64_t power = 1;
  for (int k = 1; k <= 18; ++k) {
    power *= 10;
    for (const std::int64_t v : {power - 1, power, power + 1}) {
      values.push_back(v);
      values.push_back(-v);
    }
  }
  std::mt19937_64 rng(20240611);
  for (int i = 0; i < 300; ++i) {
    const std::uint64_t bits = rng() >> (rng() % 64);  // any digit count
    const auto v = static_cast<std::int64_t>(bits >> 1);
    values.push_back(rng() % 2 == 0 ? v : -v);
  }
  return values;
}

std::string to_chars_text(std::int64_t v) {
  char buffer[24];
  return {buffer, std::to_chars(buffer, buffer + sizeof buffer, v).ptr};
}

TEST_CASE("integer and millisecond fields match std::to_chars at every digit count and sign") {
  const std::vector<std::int64_t> values = formatting_test_values();
  RunResult result;
  result.pool_names = {"p"};
  for (const std::int64_t v : values) {
    RequestRecord r;
    r.pool = 0;
    r.arrival_ns = v;
    r.input_tokens = v;
    r.cached_tokens = v == std::numeric_limits<std::int64_t>::min() ? v : -v;
    result.requests.push_back(r);
  }
  for (const std::int64_t v : values) {
    if (v < 0) continue;
    RequestRecord r;  // queueing_ms = ttft_ms = e2el_ms = v ns
    r.pool = 0;
    r.scheduled_ns = r.first_token_ns = r.completion_ns = v;
    result.requests.push_back(r);
  }
  const std::vector<std::vector<std::string>> rows = csv_rows(requests_csv_text(result));
  REQUIRE(rows.size() == result.requests.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const RequestRecord& r = result.requests[i];
    const std::vector<std::string>& fields = rows[i];
    REQUIRE(fields.size() == 18);
    if (r.scheduled_ns < 0) {
      CAPTURE(r.arrival_ns);
      CHECK(fields[5] == to_chars_text(r.arrival_ns));
      CHECK(fields[9] == to_chars_text(r.input_tokens));
      CHECK(fields[12] == to_chars_text(r.cached_tokens));
    } else {
      const std::int64_t v = r.scheduled_ns;
      CAPTURE(v);
      CHECK(fields[6] == to_chars_text(v));
      // v / 10^6, a point, then v % 10^6 padded to 6 digits.
      const std::string fraction = to_chars_text(v % 1'000'000);
      const std::string ms = to_chars_text(v / 1'000'000) + "." + std::string(6 - fraction.size(), '0') + fraction;
      CHECK(fields[14] == ms);  // queueing_ms
      CHECK(fields[15] == ms);  // ttft_ms
      CHECK(fields[17] == ms);  // e2el_ms
    }
  }
}

/// A completed request in a run of one pool: what the TPOT tests fill in.
RequestRecord completed_in_pool_0() {
  RequestRecord r;
  r.pool = 0;
  r.status = RequestStatus::completed;
  return r;
}

TEST_CASE("tpot_ms matches std::to_chars for integer parts of every digit count") {
  RunResult result;
  result.pool_names = {"p"};
  std::vector<std::string> expected;
  RequestRecord r = completed_in_pool_0();
  r.output_tokens = 2;  // one gap: tpot = decode ns / 10^6
  r.first_token_ns = 0;
  // Up to 3 x 10^12 ms.
  std::int64_t power = 1;
  for (int k = 0; k <= 18; ++k) {
    if (k > 0) power *= 10;
    for (const std::int64_t decode_ns : {power - 1, power, power + 1, 3 * power + 7}) {
      r.completion_ns = decode_ns;
      result.requests.push_back(r);
      const double tpot = static_cast<double>(decode_ns) / static_cast<double>(r.output_tokens - 1) / 1e6;
      char buffer[400];
      expected.emplace_back(buffer, std::to_chars(buffer, buffer + sizeof buffer, tpot, std::chars_format::fixed, 6).ptr);
    }
  }
  CHECK(tpot_column(requests_csv_text(result)) == expected);
}

TEST_CASE("tpot_ms has the six decimals std::to_chars gives, ties rounded to even") {
  RunResult result;
  result.pool_names = {"default"};
  std::vector<std::string> expected;
  RequestRecord r = completed_in_pool_0();
  r.first_token_ns = 1'000;
  // 15,625 ns over 2 gaps: 7,812.5 ns = 0.0078125 ms exactly, a tie: to even, 0.007812.
  // 46,875 ns over 2 gaps: 0.0234375 ms, a tie: to even, 0.023438.
  for (const auto& [decode_ns, gaps, text] : {std::tuple{15'625, 2, "0.007812"}, std::tuple{46'875, 2, "0.023438"},
                                              std::tuple{30'000'000, 3, "10.000000"}}) {
    r.completion_ns = r.first_token_ns + decode_ns;
    r.output_tokens = gaps + 1;
    result.requests.push_back(r);
    expected.push_back(text);
  }
  // Many others, against std::to_chars itself.
  std::uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    r.completion_ns = r.first_token_ns + static_cast<std::int64_t>(x % 40'000'000'000ULL);
    r.output_tokens = 2 + static_cast<std::int64_t>((x >> 40) % 5000);
    result.requests.push_back(r);
    const double tpot = static_cast<double>(r.completion_ns - r.first_token_ns) /
                        static_cast<double>(r.output_tokens - 1) / 1e6;
    char buffer[400];
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, tpot, std::chars_format::fixed, 6).ptr;
    expected.emplace_back(buffer, end);
  }
  CHECK(tpot_column(requests_csv_text(result)) == expected);
}

TEST_CASE("the summary table reads like vLLM's benchmark printout") {
  Simulator simulator(llama_scenario(EngineConfig{}),
                      linear_hooks(0.010, 1e-6, 1000, {request(0, 0, 100, 5)}));
  const RunResult r = simulator.run();
  const std::string table = format_summary_table(r);
  CHECK(table.find("Successful requests:                     1\n") != std::string::npos);
  CHECK(table.find("Mean TTFT (ms):                          10.10\n") != std::string::npos);
  CHECK(table.find("Median TPOT (ms):                        10.00\n") != std::string::npos);
  CHECK(table.find("P99 E2EL (ms):                           50.10\n") != std::string::npos);
  CHECK(table.find("SLO attainment (%):                      n/a\n") != std::string::npos);
  CHECK(table.find("Preemptions:                             0\n") != std::string::npos);
}

TEST_CASE("summary.json is pretty-printed with two spaces and ends in a newline") {
  RunResult result;
  result.summary["completed"] = 1;
  result.summary["duration"] = 0.5;
  CHECK(summary_json_text(result) == "{\n  \"completed\": 1,\n  \"duration\": 0.5\n}\n");
}
