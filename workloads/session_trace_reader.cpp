#include "workloads/session_trace_reader.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/input_error.h"
#include "core/message_text.h"
#include "workloads/csv_reader.h"
#include "workloads/json_value_text.h"
#include "workloads/trace_parsing.h"

namespace llmsim::workloads {
namespace {

using nlohmann::json;

std::int64_t positive_integer(const json& object, const std::string& key, const std::string& path, int line) {
  const json& value = required_json_key(object, key, path, line);
  if (!value.is_number_unsigned() || value.get<std::uint64_t>() == 0 ||
      value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
    throw core::InputError(path, line, key, "expected a positive integer below 2^31, got " + describe_json_value(value));
  }
  return static_cast<std::int64_t>(value.get<std::uint64_t>());
}

double seconds(const json& object, const std::string& key, const std::string& path, int line) {
  const json& value = required_json_key(object, key, path, line);
  if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() < 0.0) {
    throw core::InputError(path, line, key, "expected a number of seconds >= 0, got " + describe_json_value(value));
  }
  const double s = value.get<double>();
  check_trace_span(s, describe_json_value(value), path, line, key);
  return s;
}

std::string session_id(const json& object, const std::string& path, int line) {
  const json& value = required_json_key(object, "session_id", path, line);
  if (value.is_string() && !value.get<std::string>().empty()) return value.get<std::string>();
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  throw core::InputError(path, line, "session_id",
                         "expected a non-empty string or a non-negative integer, got " + describe_json_value(value));
}

std::vector<std::uint64_t> hash_ids(const json& object, std::int64_t input_tokens, const std::string& path, int line) {
  std::vector<std::uint64_t> ids;
  const auto found = object.find("hash_ids");
  if (found == object.end()) return ids;
  if (!found->is_array()) {
    throw core::InputError(path, line, "hash_ids", "expected an array of block ids, got " + describe_json_value(*found));
  }
  const std::int64_t most = (input_tokens + kSessionHashBlockTokens - 1) / kSessionHashBlockTokens;
  if (static_cast<std::int64_t>(found->size()) > most) {
    throw core::InputError(path, line, "hash_ids",
                           std::to_string(found->size()) + " ids cover more than the turn's " +
                               std::to_string(input_tokens) + " new input tokens (at most " + std::to_string(most) +
                               " blocks of 512)");
  }
  for (std::size_t i = 0; i < found->size(); ++i) {
    const json& id = (*found)[i];
    if (!id.is_number_unsigned()) {
      throw core::InputError(path, line, "hash_ids[" + std::to_string(i) + "]",
                             "expected a non-negative integer, got " + describe_json_value(id));
    }
    ids.push_back(id.get<std::uint64_t>());
  }
  return ids;
}

}  // namespace

std::vector<Session> read_session_jsonl(const std::string& path, std::int64_t max_sessions) {
  static const std::set<std::string> kKeys = {"session_id", "turn",          "arrival_s", "wait_s",
                                              "input_tokens", "output_tokens", "hash_ids"};
  std::ifstream in(path);
  if (!in) throw core::InputError(path, 0, "", "cannot open session trace file");
  std::vector<Session> sessions;
  std::unordered_map<std::string, std::size_t> index_of;
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (trim_blanks(text).empty()) continue;
    json object;
    try {
      object = json::parse(text);
    } catch (const json::exception& error) {
      throw core::InputError(path, line, "", "malformed JSON: " + core::excerpt(error.what(), 200));
    }
    if (!object.is_object()) throw core::InputError(path, line, "", "expected a JSON object");
    for (const auto& item : object.items()) {
      if (kKeys.count(item.key()) == 0) {
        throw core::InputError(path, line, core::excerpt(item.key(), 64), "unknown key");
      }
    }
    const std::string id = session_id(object, path, line);
    const std::int64_t turn = positive_integer(object, "turn", path, line);
    const auto found = index_of.find(id);
    const std::int64_t expected =
        found == index_of.end() ? 1 : static_cast<std::int64_t>(sessions[found->second].turns.size()) + 1;
    if (turn != expected) {
      throw core::InputError(path, line, "turn",
                             "expected " + std::to_string(expected) + " (session \"" + core::excerpt(id, 64) +
                                 "\"'s next turn; turns come in order), got " + std::to_string(turn));
    }
    SessionTurn t;
    t.new_input_tokens = positive_integer(object, "input_tokens", path, line);
    t.output_tokens = positive_integer(object, "output_tokens", path, line);
    if (turn == 1) {
      if (object.contains("wait_s")) {
        throw core::InputError(path, line, "wait_s", "turn 1 gives arrival_s, not wait_s");
      }
      t.at_s = seconds(object, "arrival_s", path, line);
    } else {
      if (object.contains("arrival_s")) {
        throw core::InputError(path, line, "arrival_s",
                               "only turn 1 gives arrival_s; a later turn gives wait_s after the previous one");
      }
      t.at_s = seconds(object, "wait_s", path, line);
    }
    t.hash_ids = hash_ids(object, t.new_input_tokens, path, line);
    if (found == index_of.end()) {
      index_of.emplace(id, sessions.size());
      sessions.push_back(Session{id, {}});
      sessions.back().turns.push_back(std::move(t));
    } else {
      sessions[found->second].turns.push_back(std::move(t));
    }
  }
  if (sessions.empty()) throw core::InputError(path, 0, "", "session trace has no turns");
  if (max_sessions > 0 && static_cast<std::int64_t>(sessions.size()) > max_sessions) {
    sessions.resize(static_cast<std::size_t>(max_sessions));
  }
  return sessions;
}

}  // namespace llmsim::workloads
