// Writing a HardwareSpec back out as a hardware preset (configs/README.md schema), for
// `llmsim calibrate --out`. Plain text: only loader/ includes yaml-cpp.
#pragma once

#include <string>

#include "hw/hardware_spec.h"

namespace llmsim::app {

/// The YAML text of `spec`. `efficiency_comment` (lines without a leading '#') is written as
/// comments at the top of the efficiency block, e.g. the fit's residuals. The output loads
/// back with loader::load_hardware: datasheet numbers in shortest round-trip form,
/// efficiencies to 4 decimals and times to 0.01 us (per-block times 0.01 ns) or finer; one
/// line per operator, by name, in hw::kOperators order.
std::string hardware_yaml(const hw::HardwareSpec& spec, const std::string& efficiency_comment);

}  // namespace llmsim::app
