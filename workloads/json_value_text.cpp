#include "workloads/json_value_text.h"

#include "core/input_error.h"
#include "core/message_text.h"

namespace llmsim::workloads {

std::string describe_json_value(const nlohmann::json& value) {
  if (value.is_array()) return "an array of " + std::to_string(value.size()) + " items";
  if (value.is_object()) return "an object with " + std::to_string(value.size()) + " keys";
  // Parsed text is valid UTF-8, so dump() cannot throw on strings here; replace invalid
  // sequences anyway in case the value was built in code.
  return core::excerpt(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

const nlohmann::json& required_json_key(const nlohmann::json& object, const std::string& key, const std::string& path,
                                        int line) {
  const auto found = object.find(key);
  if (found == object.end()) throw core::InputError(path, line, key, "missing key");
  return *found;
}

}  // namespace llmsim::workloads
