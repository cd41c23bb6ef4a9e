// Running sweep points: each point is its own scenario (the file, the --set overrides,
// then the point's settings) and its own Simulator; points run in parallel.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/sweep_manifest.h"
#include "analysis/sweep_spec.h"
#include "loader/scenario_loader.h"
#include "sim/scenario.h"

namespace llmsim::analysis {

/// Loads the scenario of one point. A bad setting is an InputError naming the point's
/// origin and key ("quickstart.yaml (--grid engine.max_num_seqs=-3): engine.max_num_seqs:
/// ..."); any other error of the scenario at that point gets "(at sweep point N: k=v, ...)"
/// appended to its message.
sim::Scenario load_point_scenario(const std::string& scenario_path, const std::vector<loader::Override>& set_overrides,
                                  const SweepPoint& point);

/// Rethrows `error` as load_point_scenario describes.
[[noreturn]] void rethrow_for_point(const std::exception& error, const SweepPoint& point);

/// What one point gave: its summary (an empty object when it failed) and its outcome.
struct PointRun {
  nlohmann::ordered_json summary = nlohmann::ordered_json::object();
  PointOutcome outcome;
  bool internal_error = false;  ///< failed on something other than core::InputError: a bug in llmsim
};

/// Loads the scenario of every point, in order, so that a bad setting stops the sweep with
/// an InputError (load_point_scenario's) before anything runs.
std::vector<sim::Scenario> load_sweep_points(const std::string& scenario_path,
                                             const std::vector<loader::Override>& set_overrides,
                                             const std::vector<SweepPoint>& points);

/// Simulates the loaded points (scenarios[i] of points[i]) on `jobs` threads. A point that
/// fails once loaded (its deployment refused by the simulator, an error while it runs or
/// while its summary is written) is recorded as failed with a one-line reason, and the
/// others still run (issue 22). Each finished point's summary is written to
/// out_dir/point_folder(index, points_total)/summary.json. Returns the runs in the order of
/// `points`; they do not depend on `jobs`.
std::vector<PointRun> run_sweep_points(const std::vector<sim::Scenario>& scenarios,
                                       const std::vector<SweepPoint>& points, std::int64_t points_total,
                                       std::int64_t jobs, const std::string& out_dir);

}  // namespace llmsim::analysis
