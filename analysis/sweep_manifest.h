// SweepManifest: what a sweep (or one shard of it) ran, written beside its results as
// sweep.json (whole sweep) or sweep.shard-I-of-N.json (one shard), and sweep.csv: one row
// per point with the swept values and the point's summary fields.
//
// Layout of a sweep folder DIR:
//   DIR/points/<index>/summary.json   each point's summary (index zero-padded to >= 4 digits)
//   DIR/sweep.json, DIR/sweep.csv     the whole sweep (an unsharded run, or `llmsim merge`)
//   DIR/sweep.shard-I-of-N.json/.csv  what shard I of N ran (`--shard I/N`)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/sweep_spec.h"

namespace llmsim::analysis {

/// How one point ended (issue 22): a point that failed once it ran is recorded, and the
/// others still run.
struct PointOutcome {
  bool ok = true;
  std::string error;           ///< why it failed (one line); empty when ok
  std::string summary_digest;  ///< core::digest_hex of its summary.json bytes; empty when failed
};

struct SweepManifest {
  std::string scenario;                    ///< the scenario path as given
  std::string scenario_digest;             ///< core::digest_hex of the scenario file's bytes
  std::vector<std::string> set_overrides;  ///< the --set texts, applied before each point's settings
  std::vector<std::string> keys;           ///< swept key paths (sweep.csv columns)
  std::string grid_digest;                 ///< grid_digest() of the whole sweep (all shards)
  std::int64_t points_total = 0;           ///< points of the whole sweep
  std::optional<Shard> shard;              ///< set in a shard's manifest
  std::vector<SweepPoint> points;          ///< the points this manifest covers, in index order
  std::vector<PointOutcome> outcomes;      ///< outcomes[i] of points[i]
};

/// The digest of a sweep's keys and every point's index and settings (origins left out, so a
/// sweep file read from another folder is the same grid). Shards of one sweep carry the same
/// one; `merge` recomputes it from the points it joins.
std::string grid_digest(const std::vector<std::string>& keys, const std::vector<SweepPoint>& points);

/// "points/0007": the folder of a point, relative to the sweep folder.
std::string point_folder(std::int64_t index, std::int64_t points_total);

/// "sweep.shard-2-of-8": the file stem of a shard's manifest and CSV.
std::string shard_file_stem(Shard shard);

/// {"scenario", "scenario_digest", "set", "keys", "grid_digest", "points_total",
///  ["shard": {"index", "count"}], "points": [{"point", "dir", "origin", "settings": {key: value},
///  "status": "ok", "summary_digest"} or {..., "status": "failed", "error"}]}
nlohmann::ordered_json manifest_json(const SweepManifest& manifest);

/// The inverse of manifest_json; throws InputError naming `file` when a field is missing or
/// of the wrong type.
SweepManifest parse_manifest(const nlohmann::ordered_json& json, const std::string& file);

/// sweep.csv: header "point", the keys, "status" (ok or failed), "error" (why a point
/// failed), then the summary's leaf paths (json_leaves without
/// arrays; their union over the points, in first-seen order); one row per point, in the
/// manifest's order. summaries[i] belongs to manifest.points[i] (an empty object for a failed
/// point, whose summary cells are then empty).
std::string sweep_csv_text(const SweepManifest& manifest, const std::vector<nlohmann::ordered_json>& summaries);

}  // namespace llmsim::analysis
