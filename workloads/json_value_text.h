// describe_json_value: how a JSON value appears in an error message ("got ..."), for the
// Mooncake trace reader and loader/'s config.json reader.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace llmsim::workloads {

/// A scalar as its JSON text ("\"abc\"", "-3", "1.5", "true", "null"), cut to
/// core::kExcerptBytes; an array or object by its kind and size ("an array of 3 items").
/// Never dumps a container: its depth comes from the input and dump() recurses.
std::string describe_json_value(const nlohmann::json& value);

}  // namespace llmsim::workloads
