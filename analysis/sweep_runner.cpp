#include "analysis/sweep_runner.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <utility>

#include "analysis/parallel_for.h"
#include "analysis/sweep_manifest.h"
#include "analysis/text_files.h"
#include "core/content_digest.h"
#include "core/input_error.h"
#include "sim/metrics/result_writer.h"
#include "sim/cluster/simulator.h"

namespace llmsim::analysis {
namespace {

std::string describe_settings(const SweepPoint& point) {
  std::string text;
  for (const loader::Override& s : point.settings) {
    text += (text.empty() ? "" : ", ") + s.key_path + "=" + s.value;
  }
  return text;
}

}  // namespace

void rethrow_for_point(const std::exception& error, const SweepPoint& point) {
  const auto* input = dynamic_cast<const core::InputError*>(&error);
  if (input == nullptr) {
    throw core::InputError("sweep point " + std::to_string(point.index) + " (" + describe_settings(point) +
                           "): " + error.what());
  }
  for (const loader::Override& s : point.settings) {
    const std::string marker = " (--set " + s.key_path + ")";
    const std::size_t at = input->file().find(marker);
    if (at != std::string::npos) {
      std::string file = input->file();
      file.replace(at, marker.size(), " (" + point.origin + " " + s.key_path + "=" + s.value + ")");
      throw core::InputError(file, input->line(), input->key_path(), input->message());
    }
  }
  throw core::InputError(input->file(), input->line(), input->key_path(),
                         input->message() + " (at sweep point " + std::to_string(point.index) + ": " +
                             describe_settings(point) + ")");
}

sim::Scenario load_point_scenario(const std::string& scenario_path, const std::vector<loader::Override>& set_overrides,
                                  const SweepPoint& point) {
  std::vector<loader::Override> overrides = set_overrides;
  overrides.insert(overrides.end(), point.settings.begin(), point.settings.end());
  try {
    return loader::load_scenario(scenario_path, overrides);
  } catch (const core::InputError& error) {
    rethrow_for_point(error, point);
  }
}

std::vector<sim::Scenario> load_sweep_points(const std::string& scenario_path,
                                             const std::vector<loader::Override>& set_overrides,
                                             const std::vector<SweepPoint>& points) {
  std::vector<sim::Scenario> scenarios;
  scenarios.reserve(points.size());
  for (const SweepPoint& point : points) scenarios.push_back(load_point_scenario(scenario_path, set_overrides, point));
  return scenarios;
}

std::vector<PointRun> run_sweep_points(const std::vector<sim::Scenario>& scenarios,
                                       const std::vector<SweepPoint>& points, std::int64_t points_total,
                                       std::int64_t jobs, const std::string& out_dir) {
  std::vector<PointRun> runs(points.size());
  parallel_for(static_cast<std::int64_t>(points.size()), jobs, [&](std::int64_t i) {
    const auto at = static_cast<std::size_t>(i);
    const SweepPoint& point = points[at];
    PointRun& run = runs[at];
    try {
      try {
        sim::RunResult result;
        {
          // A point writes its summary only: finished requests are folded into it and their
          // records reused, so a point's memory does not grow with its requests.
          sim::SimulatorHooks hooks;
          hooks.keep_request_records = false;
          sim::Simulator simulator(scenarios[at], std::move(hooks));
          result = simulator.run();
        }
        const std::string dir = (std::filesystem::path(out_dir) / point_folder(point.index, points_total)).string();
        const std::string text = sim::summary_json_text(result);
        write_text_file((std::filesystem::path(dir) / "summary.json").string(), text);
        run.outcome.summary_digest = core::digest_hex(text);
        run.summary = std::move(result.summary);
      } catch (const core::InputError& error) {
        rethrow_for_point(error, point);
      }
    } catch (const std::exception& error) {
      // One line for sweep.csv: InputError's text is one line already; another exception's
      // (a bug, an exhausted memory) may not be.
      std::string reason = error.what();
      std::replace(reason.begin(), reason.end(), '\n', ' ');
      run.internal_error = dynamic_cast<const core::InputError*>(&error) == nullptr;
      if (run.internal_error) reason = "internal error: " + reason;
      run.summary = nlohmann::ordered_json::object();
      run.outcome = PointOutcome{false, reason, ""};
    }
  });
  return runs;
}

}  // namespace llmsim::analysis
