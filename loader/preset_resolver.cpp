#include "loader/preset_resolver.h"

#include <algorithm>
#include <filesystem>

#include "core/input_error.h"
#include "core/message_text.h"
#include "loader/preset_paths.h"

namespace llmsim::loader {

namespace fs = std::filesystem;

std::vector<std::string> list_presets(const std::string& kind) {
  std::vector<std::string> ids;
  std::error_code error;
  const fs::path folder = config_dir() / kind;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    if (entry.path().extension() == ".yaml") ids.push_back(entry.path().stem().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string resolve_preset(const std::string& id_or_path, const std::string& base_dir,
                           const std::string& kind, const std::string& what) {
  std::error_code error;
  if (!base_dir.empty()) {
    const fs::path relative = fs::path(base_dir) / id_or_path;
    if (fs::is_regular_file(relative, error)) return relative.string();
  }
  if (fs::is_regular_file(id_or_path, error)) return id_or_path;
  const fs::path preset = config_dir() / kind / (id_or_path + ".yaml");
  if (id_or_path.find('/') == std::string::npos && fs::is_regular_file(preset, error)) {
    return preset.string();
  }
  std::string known;
  for (const auto& id : list_presets(kind)) known += (known.empty() ? "" : ", ") + id;
  throw core::InputError("unknown " + what + " " + core::quoted_excerpt(id_or_path) +
                         ": not a file and not a preset (presets: " + known + ")");
}

}  // namespace llmsim::loader
