// Editing config.json and model YAML fixtures in loader tests: read a file, replace one piece of
// it, and expect load_model to refuse the result.
#pragma once

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/input_error.h"
#include "loader/model_loader.h"

namespace llmsim::testing {

/// The whole text of the file at `path` (empty when it cannot be read).
inline std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

/// `text` with the first `from` replaced by `to` (which must be there).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

/// The InputError load_model(path) throws; fails the test when it loads.
inline core::InputError error_of(const std::string& path) {
  try {
    loader::load_model(path);
  } catch (const core::InputError& error) {
    return error;
  }
  FAIL("expected an InputError");
  return core::InputError("");
}

}  // namespace llmsim::testing
