#include "app/cli_values.h"

#include <charconv>

#include "core/input_error.h"

namespace llmsim::app {

core::DType dtype_option(const std::string& option, const std::string& value) {
  if (const auto dtype = core::parse_dtype(value)) return *dtype;
  throw core::InputError(option + ": expected one of " + core::dtype_names() + ", got \"" + value + "\"");
}

core::FlopMethod flop_method_option(const std::string& value) {
  if (const auto method = core::parse_flop_method(value)) return *method;
  throw core::InputError("--method: expected one of simple, palm, precise, no_kv_cache, calculator, got \"" +
                         value + "\"");
}

core::ParamBasis param_basis_option(const std::string& value) {
  if (const auto basis = core::parse_param_basis(value)) return *basis;
  throw core::InputError("--params: expected one of nominal, non_embedding, total, active, got \"" + value +
                         "\"");
}

void option_error(const std::string& option, const std::string& message) {
  throw core::InputError("", 0, option, message);
}

std::string cli_number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

}  // namespace llmsim::app
