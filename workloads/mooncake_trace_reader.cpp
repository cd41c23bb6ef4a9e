// read_mooncake_jsonl (declared in trace_reader.h).
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/input_error.h"
#include "workloads/bounded_line.h"
#include "core/message_text.h"
#include "workloads/csv_reader.h"
#include "workloads/json_value_text.h"
#include "workloads/monotonic_check.h"
#include "workloads/trace_parsing.h"
#include "workloads/trace_reader.h"

namespace llmsim::workloads {
namespace {

using nlohmann::json;

/// A JSON value that is an integer >= 0 (nlohmann stores those as unsigned).
bool is_non_negative_integer(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

std::int64_t positive_tokens(const json& object, const std::string& key, const std::string& path, int line) {
  const json& value = required_json_key(object, key, path, line);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() == 0 ||
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    throw core::InputError(path, line, key, "expected a positive integer, got " + describe_json_value(value));
  }
  return static_cast<std::int64_t>(value.get<std::uint64_t>());
}

}  // namespace

std::vector<TraceRow> read_mooncake_jsonl(const std::string& path, std::int64_t max_rows) {
  const std::string kTimestamp = "timestamp";
  const std::string kHashIds = "hash_ids";
  std::ifstream in(path);
  if (!in) throw core::InputError(path, 0, "", "cannot open trace file");
  MonotonicCheck monotonic(path, kTimestamp);
  std::vector<TraceRow> rows;
  double first_ms = 0.0;
  std::string text;
  int line = 0;
  while (!reached_max_rows(rows, max_rows) && read_trace_line(in, text, path, line + 1)) {
    ++line;
    if (trim_blanks(text).empty()) continue;
    json object;
    try {
      object = json::parse(text);
    } catch (const json::exception& error) {
      // parse_error, and out_of_range for a number too large for a double ("1e8001"), which
      // terminated llmsim before (found by fuzz/).
      throw core::InputError(path, line, "", "malformed JSON: " + core::excerpt(error.what(), 200));
    }
    if (!object.is_object()) throw core::InputError(path, line, "", "expected a JSON object");
    const json& stamp = required_json_key(object, kTimestamp, path, line);
    if (!stamp.is_number() || !std::isfinite(stamp.get<double>())) {
      throw core::InputError(path, line, kTimestamp, "expected a number of milliseconds, got " + describe_json_value(stamp));
    }
    const double stamp_ms = stamp.get<double>();
    const std::string shown = describe_json_value(stamp);
    monotonic.check(stamp_ms, shown, line);
    if (rows.empty()) first_ms = stamp_ms;
    TraceRow row;
    row.arrival_s = (stamp_ms - first_ms) / 1000.0;
    row.line = line;
    check_trace_span(row.arrival_s, shown, path, line, kTimestamp);
    row.input_tokens = positive_tokens(object, "input_length", path, line);
    row.output_tokens = positive_tokens(object, "output_length", path, line);
    if (const auto ids = object.find(kHashIds); ids != object.end()) {
      if (!ids->is_array()) {
        throw core::InputError(path, line, kHashIds, "expected an array of block ids, got " + describe_json_value(*ids));
      }
      row.prefix_hashes.reserve(ids->size());
      for (std::size_t i = 0; i < ids->size(); ++i) {
        const json& id = (*ids)[i];
        if (!is_non_negative_integer(id)) {
          throw core::InputError(path, line, kHashIds + "[" + std::to_string(i) + "]",
                                 "expected a non-negative integer, got " + describe_json_value(id));
        }
        row.prefix_hashes.push_back(id.get<std::uint64_t>());
      }
    }
    rows.push_back(std::move(row));
  }
  require_rows(rows, path);
  return rows;
}

}  // namespace llmsim::workloads
