// describe_json_value: how a JSON value appears in an error message ("got ..."), for the
// JSONL trace readers (Mooncake, sessions) and loader/'s config.json reader; and the
// JSONL readers' lookup of a required key.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace llmsim::workloads {

/// A scalar as its JSON text ("\"abc\"", "-3", "1.5", "true", "null"), cut to
/// core::kExcerptBytes; an array or object by its kind and size ("an array of 3 items").
/// Never dumps a container: its depth comes from the input and dump() recurses.
std::string describe_json_value(const nlohmann::json& value);

/// object[key]; throws core::InputError(path, line, key, "missing key") when absent.
/// Precondition: object is a JSON object.
const nlohmann::json& required_json_key(const nlohmann::json& object, const std::string& key, const std::string& path,
                                        int line);

}  // namespace llmsim::workloads
