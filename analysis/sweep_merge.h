// Merging the shards of a sweep (`llmsim sweep --shard I/N` runs, e.g. one per Slurm
// array task) into the sweep.json and sweep.csv an unsharded run would have written,
// byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace llmsim::analysis {

struct MergeOutcome {
  std::int64_t shards = 0;
  std::int64_t points = 0;
  std::int64_t failed_points = 0;  ///< points the shards recorded as failed
  std::string first_failure;       ///< the lowest-index failed point's reason
};

/// `inputs`: sweep folders (every sweep.shard-*-of-*.json inside is read) or shard manifest
/// files. Checks that the manifests describe one sweep (same scenario, --set, keys, point
/// count and shard count, and since issue 22 the scenario file's content and the grid) and
/// that every shard 0..N-1 is there exactly once; that the points' settings make the grid the
/// manifests name; reads each point's summary.json from beside its manifest and checks its
/// bytes against the digest its manifest lists. Writes sweep.json and sweep.csv into
/// `write_dir` (a staging folder that becomes out_dir), and there too a copy of each point's
/// summary.json that is not already out_dir's own. Throws InputError naming the missing,
/// duplicate or mismatched shard or point.
MergeOutcome merge_sweep_shards(const std::vector<std::string>& inputs, const std::string& out_dir,
                                const std::string& write_dir);

}  // namespace llmsim::analysis
