#include "workloads/trace_reader.h"

#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "workloads/azure_timestamp.h"
#include "tests/workloads/temp_file.h"

namespace llmsim::workloads {
namespace {

using testing::write_temp_file;

/// The what() of the InputError that `read` throws; fails the test when nothing is thrown.
template <typename Read>
std::string error_of(Read read) {
  try {
    read();
  } catch (const core::InputError& error) {
    return error.what();
  }
  FAIL("no InputError was thrown");
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("azure timestamps count days properly across months and leap years") {
  CHECK(parse_azure_timestamp_ns("1970-01-01 00:00:00") == 0);
  // 1970..1999: 30 years with 7 leap days = 10957 days; Jan 31 + Feb 29 of 2000 = 60 more.
  CHECK(parse_azure_timestamp_ns("2000-03-01 00:00:00") == std::int64_t{11017} * 86400 * 1'000'000'000);
  CHECK(parse_azure_timestamp_ns("1970-01-02 01:02:03.5") == (86400 + 3723) * std::int64_t{1'000'000'000} + 500'000'000);
  CHECK(parse_azure_timestamp_ns("1970-01-01 00:00:00.6805900") == 680'590'000);
  CHECK(parse_azure_timestamp_ns("2024-02-29 12:00:00").has_value());
}

TEST_CASE("malformed azure timestamps are rejected") {
  CHECK_FALSE(parse_azure_timestamp_ns("2023-02-29 12:00:00").has_value());  // not a leap year
  CHECK_FALSE(parse_azure_timestamp_ns("2023-13-01 12:00:00").has_value());
  CHECK_FALSE(parse_azure_timestamp_ns("2023-11-16 24:00:00").has_value());
  CHECK_FALSE(parse_azure_timestamp_ns("2023-11-16T18:15:46").has_value());
  CHECK_FALSE(parse_azure_timestamp_ns("2023-11-16 18:15:46.").has_value());
  CHECK_FALSE(parse_azure_timestamp_ns("2023-11-16 18:15:46.1234567890").has_value());
  CHECK_FALSE(parse_azure_timestamp_ns("2023-11-16 18:15:4x").has_value());
}

TEST_CASE("an azure csv with CRLF line ends reads relative arrivals across midnight and month end") {
  const std::string path = write_temp_file("azure_midnight.csv",
                                           "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                           "2023-11-30 23:59:59.5000000,374,44\r\n"
                                           "2023-12-01 00:00:00.2500000,396,109\r\n"
                                           "2023-12-01 00:00:02.2500001,879,55\r\n");
  const std::vector<TraceRow> rows = read_azure_csv(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].arrival_s == 0.0);
  CHECK(rows[1].arrival_s == doctest::Approx(0.75).epsilon(1e-12));
  CHECK(rows[2].arrival_s == doctest::Approx(2.7500001).epsilon(1e-12));
  CHECK(rows[1].input_tokens == 396);
  CHECK(rows[1].output_tokens == 109);
  CHECK(rows[2].prefix_hashes.empty());
}

TEST_CASE("an azure csv reads its columns by name in any order") {
  const std::string path = write_temp_file("azure_reordered.csv",
                                           "GeneratedTokens,TIMESTAMP,ContextTokens\n"
                                           "7,2023-11-16 18:15:46,100\n");
  const std::vector<TraceRow> rows = read_azure_csv(path);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].input_tokens == 100);
  CHECK(rows[0].output_tokens == 7);
}

TEST_CASE("a missing trace file is an input error naming the file") {
  const std::string message = error_of([] { read_azure_csv("/nonexistent/llmsim/trace.csv"); });
  CHECK(contains(message, "/nonexistent/llmsim/trace.csv"));
  CHECK(contains(message, "cannot open"));
}

TEST_CASE("a missing column is an input error naming the column") {
  const std::string path = write_temp_file("azure_no_generated.csv",
                                           "TIMESTAMP,ContextTokens\n2023-11-16 18:15:46,100\n");
  const std::string message = error_of([&] { read_azure_csv(path); });
  CHECK(contains(message, path + ":1: GeneratedTokens: missing column"));
}

TEST_CASE("an empty file is an input error about the missing header") {
  const std::string path = write_temp_file("empty.csv", "");
  CHECK(contains(error_of([&] { read_plain_csv(path); }), "missing header"));
}

TEST_CASE("a header without rows is an input error about an empty trace") {
  const std::string path = write_temp_file("header_only.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n\n");
  CHECK(contains(error_of([&] { read_azure_csv(path); }), path + ": trace has no rows"));
}

TEST_CASE("bad token counts are input errors naming line and column") {
  const std::string header = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
  const std::string good = "2023-11-16 18:15:46.1,10,20\n";
  const std::string zero = write_temp_file("zero.csv", header + good + "2023-11-16 18:15:47,0,20\n");
  CHECK(contains(error_of([&] { read_azure_csv(zero); }),
                 zero + ":3: ContextTokens: expected a positive integer, got \"0\""));
  const std::string negative = write_temp_file("negative.csv", header + good + good + "2023-11-16 18:15:47,10,-5\n");
  CHECK(contains(error_of([&] { read_azure_csv(negative); }), negative + ":4: GeneratedTokens: "));
  const std::string text = write_temp_file("text.csv", header + "2023-11-16 18:15:47,ten,20\n");
  CHECK(contains(error_of([&] { read_azure_csv(text); }), text + ":2: ContextTokens: expected a positive integer, got \"ten\""));
  const std::string fraction = write_temp_file("fraction.csv", header + "2023-11-16 18:15:47,10.5,20\n");
  CHECK(contains(error_of([&] { read_azure_csv(fraction); }), fraction + ":2: ContextTokens: "));
}

TEST_CASE("a bad timestamp is an input error naming line and column") {
  const std::string path = write_temp_file("bad_time.csv",
                                           "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 25:00:00,10,20\n");
  CHECK(contains(error_of([&] { read_azure_csv(path); }), path + ":2: TIMESTAMP: expected a time like"));
}

TEST_CASE("a timestamp that goes backwards is an input error naming both lines") {
  const std::string path = write_temp_file("backwards.csv",
                                           "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                           "2023-11-16 18:15:46.5,10,20\n"
                                           "2023-11-16 18:15:46.5,10,20\n"
                                           "2023-11-16 18:15:46.4,10,20\n");
  const std::string message = error_of([&] { read_azure_csv(path); });
  CHECK(contains(message, path + ":4: TIMESTAMP: timestamp \"2023-11-16 18:15:46.4\" is earlier than"));
  CHECK(contains(message, "on line 3"));
}

TEST_CASE("a row with the wrong number of fields is an input error naming the line") {
  const std::string path = write_temp_file("short_row.csv", "arrival_s,input_tokens,output_tokens\n0,1,2\n1,2\n");
  CHECK(contains(error_of([&] { read_plain_csv(path); }), path + ":3: expected 3 comma-separated fields, got 2"));
}

TEST_CASE("a plain csv reads arrivals relative to its first row") {
  const std::string path = write_temp_file("plain.csv",
                                           "input_tokens,output_tokens,arrival_s,note\n"
                                           "100,10,5.5,a\n"
                                           "200,20,6.0,b\n"
                                           "300,30,6.0,c\n");
  const std::vector<TraceRow> rows = read_plain_csv(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].arrival_s == 0.0);
  CHECK(rows[1].arrival_s == 0.5);
  CHECK(rows[2].arrival_s == 0.5);
  CHECK(rows[2].input_tokens == 300);
  CHECK(rows[2].output_tokens == 30);
}

TEST_CASE("a plain csv may give each request its speculative acceptance length") {
  const std::string path = write_temp_file("plain_acceptance.csv",
                                           "arrival_s,input_tokens,output_tokens,acceptance_length\n"
                                           "0,100,10,2.5\n"
                                           "1,200,20,1\n");
  const std::vector<TraceRow> rows = read_plain_csv(path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].acceptance_length == 2.5);
  CHECK(rows[1].acceptance_length == 1.0);
  // Without the column every row leaves it to the engine (0).
  const std::string plain = write_temp_file("plain_no_acceptance.csv", "arrival_s,input_tokens,output_tokens\n0,1,2\n");
  CHECK(read_plain_csv(plain)[0].acceptance_length == 0.0);
  const std::string below = write_temp_file("plain_acceptance_low.csv",
                                            "arrival_s,input_tokens,output_tokens,acceptance_length\n0,1,2,0.5\n");
  CHECK(contains(error_of([&] { read_plain_csv(below); }),
                 below + ":2: acceptance_length: expected a mean acceptance length >= 1"));
}

TEST_CASE("a plain csv arrival that is not a number is an input error naming the column") {
  const std::string path = write_temp_file("plain_bad.csv", "arrival_s,input_tokens,output_tokens\nsoon,1,2\n");
  CHECK(contains(error_of([&] { read_plain_csv(path); }), path + ":2: arrival_s: expected a number, got \"soon\""));
}

TEST_CASE("a mooncake jsonl keeps hash ids as prefix hashes and milliseconds become seconds") {
  const std::string path = write_temp_file("mooncake.jsonl",
                                           "{\"timestamp\": 1000, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n"
                                           "{\"timestamp\": 1250, \"input_length\": 100, \"output_length\": 7, \"hash_ids\": [0]}\n"
                                           "\n"
                                           "{\"timestamp\": 4000, \"input_length\": 9, \"output_length\": 1}\n");
  const std::vector<TraceRow> rows = read_mooncake_jsonl(path);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].arrival_s == 0.0);
  CHECK(rows[1].arrival_s == 0.25);
  CHECK(rows[2].arrival_s == 3.0);
  CHECK(rows[0].prefix_hashes == std::vector<std::uint64_t>{0, 1});
  CHECK(rows[1].prefix_hashes == std::vector<std::uint64_t>{0});
  CHECK(rows[2].prefix_hashes.empty());
  CHECK(rows[0].input_tokens == 600);
  CHECK(rows[2].output_tokens == 1);
}

TEST_CASE("mooncake lines that are malformed or hold bad values are input errors naming the line and key") {
  const std::string good = "{\"timestamp\": 0, \"input_length\": 6, \"output_length\": 5, \"hash_ids\": [0]}\n";
  const std::string broken = write_temp_file("mc_broken.jsonl", good + "{\"timestamp\": 1, \"input_length\": \n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(broken); }), broken + ":2: malformed JSON"));
  const std::string missing = write_temp_file("mc_missing.jsonl", good + good + "{\"timestamp\": 1, \"input_length\": 3}\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(missing); }), missing + ":3: output_length: missing key"));
  const std::string zero = write_temp_file("mc_zero.jsonl", "{\"timestamp\": 0, \"input_length\": 0, \"output_length\": 5}\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(zero); }), zero + ":1: input_length: expected a positive integer, got 0"));
  const std::string text = write_temp_file("mc_text.jsonl", "{\"timestamp\": \"noon\", \"input_length\": 1, \"output_length\": 5}\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(text); }), text + ":1: timestamp: expected a number"));
  const std::string hash = write_temp_file("mc_hash.jsonl", "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 5, \"hash_ids\": [3, -1]}\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(hash); }), hash + ":1: hash_ids[1]: expected a non-negative integer"));
  const std::string array = write_temp_file("mc_array.jsonl", "[1, 2]\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(array); }), array + ":1: expected a JSON object"));
  const std::string back = write_temp_file("mc_back.jsonl", "{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 5}\n"
                                                            "{\"timestamp\": 4, \"input_length\": 1, \"output_length\": 5}\n");
  CHECK(contains(error_of([&] { read_mooncake_jsonl(back); }), back + ":2: timestamp: timestamp \"4\" is earlier than \"5\" on line 1"));
}

TEST_CASE("read_trace keeps the first max_rows rows and divides arrivals by rate_scale") {
  const std::string path = write_temp_file("scaled.csv",
                                           "arrival_s,input_tokens,output_tokens\n10,1,1\n12,2,2\n13,3,3\nbad,4,4\n");
  TraceSpec spec;
  spec.path = path;
  spec.format = TraceFormat::plain_csv;
  spec.rate_scale = 4.0;
  spec.max_rows = 3;  // the bad fourth row is never read
  const std::vector<TraceRow> rows = read_trace(spec);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].arrival_s == 0.5);
  CHECK(rows[2].arrival_s == 0.75);
  CHECK(rows[2].input_tokens == 3);
}

TEST_CASE("read_trace rejects a rate_scale that is not positive") {
  TraceSpec spec;
  spec.path = "unused.csv";
  spec.rate_scale = 0.0;
  CHECK(contains(error_of([&] { read_trace(spec); }), "workload.trace.rate_scale: expected a positive number"));
}

TEST_CASE("empirical lengths from a trace keep one column in row order") {
  std::vector<TraceRow> rows(2);
  rows[0].input_tokens = 11;
  rows[0].output_tokens = 3;
  rows[1].input_tokens = 22;
  rows[1].output_tokens = 4;
  CHECK(empirical_length_from_trace(rows, TraceColumn::input_tokens).values == std::vector<std::int64_t>{11, 22});
  CHECK(empirical_length_from_trace(rows, TraceColumn::output_tokens).values == std::vector<std::int64_t>{3, 4});
}

TEST_CASE("the shipped azure conversation trace parses in full") {
  TraceSpec spec;
  spec.path = std::string(LLMSIM_SOURCE_DIR) + "/data/traces/AzureLLMInferenceTrace_conv_2023.csv";
  spec.format = TraceFormat::azure_csv;
  const std::vector<TraceRow> rows = read_trace(spec);
  REQUIRE(rows.size() == 19366);
  CHECK(rows.front().input_tokens == 374);
  CHECK(rows.front().output_tokens == 44);
  // 18:15:46.6805900 to 19:14:08.4025270 is 58 min 21.7219370 s.
  CHECK(rows.back().arrival_s == doctest::Approx(3501.721937).epsilon(1e-12));
  CHECK(rows.back().input_tokens == 197);
}

TEST_CASE("the shipped mooncake conversation trace parses in full with its hash ids") {
  TraceSpec spec;
  spec.path = std::string(LLMSIM_SOURCE_DIR) + "/data/traces/mooncake_conversation_trace.jsonl";
  spec.format = TraceFormat::mooncake_jsonl;
  const std::vector<TraceRow> rows = read_trace(spec);
  REQUIRE(rows.size() == 12031);
  CHECK(rows.front().input_tokens == 6758);
  CHECK(rows.front().prefix_hashes.size() == 14);  // ceil(6758 / 512)
  CHECK(rows.back().arrival_s == doctest::Approx(3536.999).epsilon(1e-12));
}

}  // namespace llmsim::workloads

namespace llmsim::workloads {

TEST_CASE("a Mooncake number beyond the double range is an input error at its line") {
  // fuzz/: nlohmann throws out_of_range (not parse_error) for 1e8001, which terminated llmsim.
  const std::string path = write_temp_file(
      "overflow.jsonl", "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n{\"timestamp\": 1e8001}\n");
  const std::string message = error_of([&] { read_mooncake_jsonl(path); });
  CHECK(contains(message, path + ":2: malformed JSON: "));
  CHECK(contains(message, "number overflow"));
}

TEST_CASE("trace rows carry their file lines and a span above 285 years is rejected") {
  const std::string path = testing::write_temp_file("lines.csv", "arrival_s,input_tokens,output_tokens\n\n0,1,1\n2,3,4\n");
  const std::vector<TraceRow> rows = read_plain_csv(path);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].line == 3);
  CHECK(rows[1].line == 4);
  const std::string far = testing::write_temp_file("far.csv", "arrival_s,input_tokens,output_tokens\n0,1,1\n9e9,1,1\n");
  CHECK(contains(error_of([&] { read_plain_csv(far); }), far + ":3: arrival_s: timestamp \"9e9\" is 9e9 s"));
}

}  // namespace llmsim::workloads
