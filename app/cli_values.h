// Converting command-line option text to core enums, with InputError naming the option.
#pragma once

#include <string>

#include "core/dtype.h"
#include "core/flop_method.h"
#include "core/param_basis.h"

namespace llmsim::app {

core::DType dtype_option(const std::string& option, const std::string& value);
core::FlopMethod flop_method_option(const std::string& value);
core::ParamBasis param_basis_option(const std::string& value);

/// Throws InputError("", 0, option, message): "OPTION: MESSAGE", exit code 2.
[[noreturn]] void option_error(const std::string& option, const std::string& message);
/// A command-line number as the user would write it ("0.5", "-1", "1e+300").
std::string cli_number_text(double value);

}  // namespace llmsim::app
