#include "core/input_error.h"

#include <utility>

#include "core/message_text.h"

namespace llmsim::core {
namespace {

std::string format_location(const std::string& file, int line, const std::string& key_path,
                            const std::string& message) {
  // Built with append(), not operator+: GCC 12 at -O3 raises a false -Wrestrict on the latter.
  std::string out;
  if (!file.empty()) {
    out.append(file);
    if (line > 0) out.append(":").append(std::to_string(line));
    out.append(": ");
  }
  if (!key_path.empty()) out.append(key_path).append(": ");
  out.append(message);
  return out;
}

}  // namespace

InputError::InputError(std::string file, int line, std::string key_path, std::string message)
    : std::runtime_error(printable_one_line(format_location(file, line, key_path, message))),
      file_(std::move(file)),
      line_(line),
      key_path_(std::move(key_path)),
      message_(std::move(message)) {}

InputError::InputError(std::string message)
    : std::runtime_error(printable_one_line(message)), message_(std::move(message)) {}

}  // namespace llmsim::core
