#include "hw/operator.h"

namespace llmsim::hw {

static_assert(
    [] {
      for (std::size_t i = 0; i < kNumOperators; ++i) {
        if (index(kOperators[i].op) != i) return false;
      }
      return true;
    }(),
    "kOperators lists every operator once, in declaration order");

std::optional<Operator> operator_named(std::string_view name) {
  for (const OperatorInfo& info : kOperators) {
    if (info.name == name) return info.op;
  }
  return std::nullopt;
}

}  // namespace llmsim::hw
