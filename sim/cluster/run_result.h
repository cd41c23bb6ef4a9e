// RunResult: everything one simulation produced.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/engine/request_record.h"
#include "sim/metrics/ttc_result.h"

namespace llmsim::sim {

struct RunResult {
  /// summary.json, keys in a fixed order (see summary_builder.h for the schema).
  nlohmann::ordered_json summary;
  /// One record per request that arrived, in arrival order (requests.csv).
  std::vector<RequestRecord> requests;
  /// pool_names[RequestRecord.pool].
  std::vector<std::string> pool_names;
  /// Test-time-compute workloads: per problem and per pool (samples.csv, --dump-dag).
  std::optional<TtcResult> ttc;
};

}  // namespace llmsim::sim
