// Loading HardwareSpec from a preset id or a YAML file, and finding a GPU by device name.
#pragma once

#include <string>
#include <vector>

#include "hw/hardware_spec.h"

namespace llmsim::loader {

/// `id_or_path`: a preset id (configs/hardware/<id>.yaml) or a path to a hardware YAML.
/// Relative paths are tried against `base_dir` first. Throws core::InputError on bad input.
hw::HardwareSpec load_hardware(const std::string& id_or_path, const std::string& base_dir = "");

/// The hardware preset id whose efficiency block `id_or_path` carries (its
/// `efficiency.carried_from`, configs/README.md), or "" when the file has its own block. The
/// file is loaded whole, so bad input throws as load_hardware does.
std::string efficiency_donor(const std::string& id_or_path, const std::string& base_dir = "");

/// Preset ids found in configs/hardware/, sorted.
std::vector<std::string> list_hardware_presets();

/// A preset by id, or by a device name that contains one of its aliases or its name
/// (case-insensitive), e.g. "NVIDIA H100 80GB HBM3" -> h100-sxm. Throws when none matches.
hw::HardwareSpec find_hardware(const std::string& id_or_device_name);

}  // namespace llmsim::loader
