// Bound: which limit an operator's time (or an iteration's) is set by.
#pragma once

#include <cstdint>

namespace llmsim::hw {

enum class Bound : std::uint8_t {
  compute,       ///< FLOPs / achieved FLOP/s won (a tie counts as compute)
  memory,        ///< HBM bytes / achieved bandwidth won
  interconnect,  ///< a collective's item: priced on the fabric (never an iteration's bound)
};

}  // namespace llmsim::hw
