// The error message a scenario text is rejected with, for the loader tests.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/input_error.h"
#include "loader/scenario_loader.h"

namespace llmsim::testing {

/// The what() of the InputError that loading `text` (as scenario.yaml, with `overrides`)
/// throws; fails the test when none is thrown.
inline std::string error_of(const std::string& text, const std::vector<loader::Override>& overrides = {}) {
  try {
    loader::load_scenario_text(text, "scenario.yaml", overrides);
  } catch (const core::InputError& error) {
    return error.what();
  }
  FAIL("expected an InputError");
  return "";
}

/// `text` with the first occurrence of `from` replaced by `to`; fails the test when `from`
/// does not occur.
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace llmsim::testing
