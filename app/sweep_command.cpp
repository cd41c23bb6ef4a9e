// `llmsim sweep SCENARIO.yaml --grid key.path=v1,v2,... [--grid ...] [--jobs N] [--out DIR]`:
// what-if sweeps. Runs every point of the grid's cartesian product (or of a --points file)
// as its own simulation, in parallel, and writes DIR/points/<index>/summary.json,
// DIR/sweep.json and DIR/sweep.csv (one row per point: the swept values, then the summary
// fields). The bytes do not depend on --jobs. --shard i/n runs every n-th point starting
// at i and writes DIR/sweep.shard-i-of-n.{json,csv}; `llmsim merge` joins the shards.
// Issue 22: the results are whole or absent (app/result_folder.h): an unsharded sweep
// replaces DIR as a whole, a shard adds its points and files to DIR with its manifest last.
// A point that fails once it runs is a row with status "failed" and its reason; the other
// points finish, and the command then exits 1 (3 when a point failed on a bug in llmsim).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analysis/html_report.h"
#include "analysis/json_leaves.h"
#include "analysis/parallel_for.h"
#include "analysis/sweep_manifest.h"
#include "analysis/sweep_runner.h"
#include "analysis/text_files.h"
#include "app/command_exit.h"
#include "app/commands.h"
#include "app/result_folder.h"
#include "core/content_digest.h"
#include "core/input_error.h"
#include "core/input_file.h"

namespace llmsim::app {
namespace {

namespace fs = std::filesystem;

struct SweepOptions {
  std::string scenario;
  std::vector<std::string> grid;
  std::string points_file;
  std::vector<std::string> overrides;
  std::int64_t jobs = 0;  ///< 0: one per core
  std::string shard;
  std::string out_dir;
  bool report = false;
  bool quiet = false;
};

void print_table(const analysis::SweepManifest& manifest, const std::vector<analysis::PointRun>& runs) {
  std::string header = fmt::format("{:>6}", "point");
  for (const std::string& key : manifest.keys) header += fmt::format("  {:>{}}", key, std::max<std::size_t>(8, key.size()));
  header += fmt::format("  {:>10}  {:>12}  {:>12}  {:>12}  {:>10}\n", "req/s", "output tok/s", "p99 TTFT ms",
                        "p99 TPOT ms", "SLO att.");
  fmt::print("{}", header);
  for (std::size_t i = 0; i < manifest.points.size(); ++i) {
    const analysis::SweepPoint& point = manifest.points[i];
    std::string line = fmt::format("{:>6}", point.index);
    for (const std::string& key : manifest.keys) {
      std::string value;
      for (const loader::Override& s : point.settings) {
        if (s.key_path == key) value = s.value;
      }
      line += fmt::format("  {:>{}}", value, std::max<std::size_t>(8, key.size()));
    }
    if (!runs[i].outcome.ok) {
      fmt::print("{}  failed: {}\n", line, runs[i].outcome.error);
      continue;
    }
    const nlohmann::ordered_json& s = runs[i].summary;
    const nlohmann::ordered_json& attainment = s.at("goodput").at("slo_attainment");
    line += fmt::format("  {:>10.3f}  {:>12.1f}  {:>12.1f}  {:>12.2f}  {:>10}\n", s.at("request_throughput").get<double>(),
                        s.at("output_throughput").get<double>(), s.at("p99_ttft_ms").get<double>(),
                        s.at("p99_tpot_ms").get<double>(),
                        attainment.is_number() ? fmt::format("{:.4f}", attainment.get<double>()) : "-");
    fmt::print("{}", line);
  }
}

void run_sweep(const SweepOptions& options) {
  if (options.grid.empty() == options.points_file.empty()) {
    throw core::InputError("sweep: give either --grid (one or more) or --points FILE, not both and not neither");
  }
  analysis::SweepSpec spec;
  if (!options.grid.empty()) {
    std::vector<analysis::GridAxis> axes;
    for (const std::string& text : options.grid) axes.push_back(analysis::parse_grid_axis(text));
    spec = analysis::cartesian_sweep(axes);
  } else {
    spec = analysis::read_sweep_file(options.points_file);
  }
  std::vector<loader::Override> overrides;
  for (const std::string& text : options.overrides) overrides.push_back(loader::parse_override(text));
  if (options.jobs < 0) throw core::InputError("--jobs: expected a positive integer");
  const std::int64_t jobs = options.jobs == 0 ? analysis::default_jobs() : options.jobs;
  std::optional<analysis::Shard> shard;
  if (!options.shard.empty()) shard = analysis::parse_shard(options.shard);

  const std::string out_dir = options.out_dir.empty()
                                  ? (fs::path("out") / ("sweep-" + fs::path(options.scenario).stem().string())).string()
                                  : options.out_dir;

  analysis::SweepManifest manifest;
  manifest.scenario = options.scenario;
  manifest.scenario_digest = core::digest_hex(core::read_input_file(options.scenario));
  manifest.set_overrides = options.overrides;
  manifest.keys = spec.keys;
  manifest.grid_digest = analysis::grid_digest(spec.keys, spec.points);
  manifest.points_total = static_cast<std::int64_t>(spec.points.size());
  manifest.shard = shard;
  manifest.points = shard ? analysis::shard_points(spec, *shard) : spec.points;

  // Every point is loaded before the results folder is touched: bad input writes nothing.
  const std::vector<sim::Scenario> scenarios =
      analysis::load_sweep_points(options.scenario, overrides, manifest.points);
  const std::string stem = shard ? analysis::shard_file_stem(*shard) : "sweep";
  // An unsharded sweep replaces the folder; a shard adds to it, its manifest last, after
  // removing its own earlier files, the merged sweep.json/csv they would contradict, and the
  // manifest of an unsharded sweep or run that wrote the folder before (no longer one run's).
  const AddPlan shard_plan{stem,
                           {stem + ".json", stem + ".csv", "sweep.json", "sweep.csv", "report.html",
                            ResultFolder::kManifestName},
                           stem + ".json"};
  std::unique_ptr<ResultFolder> folder =
      shard ? std::make_unique<ResultFolder>(out_dir, shard_plan) : std::make_unique<ResultFolder>(out_dir);
  const std::string& staging = folder->staging();
  const std::vector<analysis::PointRun> runs =
      analysis::run_sweep_points(scenarios, manifest.points, manifest.points_total, jobs, staging);
  std::vector<nlohmann::ordered_json> summaries;
  std::int64_t failed = 0;
  bool internal_error = false;
  std::string first_failure;
  for (const analysis::PointRun& run : runs) {
    manifest.outcomes.push_back(run.outcome);
    summaries.push_back(run.summary);
    if (!run.outcome.ok) {
      if (failed == 0) first_failure = run.outcome.error;
      ++failed;
      internal_error = internal_error || run.internal_error;
    }
  }

  analysis::write_text_file((fs::path(staging) / (stem + ".csv")).string(),
                            analysis::sweep_csv_text(manifest, summaries));
  analysis::write_text_file((fs::path(staging) / (stem + ".json")).string(),
                            analysis::manifest_json(manifest).dump(2) + "\n");
  const bool report = options.report && !shard;
  if (report) {
    analysis::write_text_file((fs::path(staging) / "report.html").string(),
                              analysis::html_report_for_folder(staging));
  }
  folder->commit();
  const std::string json_path = (fs::path(out_dir) / (stem + ".json")).string();
  const std::string csv_path = (fs::path(out_dir) / (stem + ".csv")).string();
  const std::string report_path = (fs::path(out_dir) / "report.html").string();
  if (!options.quiet) {
    print_table(manifest, runs);
    fmt::print("{} of {} points, {} jobs: {}, {}{}{}\n", manifest.points.size(), manifest.points_total, jobs, csv_path,
               json_path, report ? ", " : "", report ? report_path : "");
    if (shard) fmt::print("shard {}/{}: join the shards with `llmsim merge {}`\n", shard->index, shard->count, out_dir);
  }
  if (failed > 0) {
    fmt::print(stderr, "llmsim: sweep: {} of {} points failed (status and error in {}); the first: {}\n", failed,
               manifest.points.size(), csv_path, first_failure);
    throw CommandExit{internal_error ? 3 : 1};
  }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
  auto options = std::make_shared<SweepOptions>();
  CLI::App* command = app.add_subcommand(
      "sweep", "what-if sweep: run a scenario at every point of a grid, in parallel; write sweep.csv");
  command->add_option("scenario", options->scenario, "scenario YAML file")->required();
  command->add_option("--grid", options->grid,
                      "swept key and values: key.path=v1,v2,... (repeatable; the cartesian product is run)");
  command->add_option("--points", options->points_file,
                      "sweep file instead of --grid: CSV with a header of key paths and one point per row");
  command->add_option("--set", options->overrides, "override a scenario key at every point: key.path=value (repeatable)");
  command->add_option("--jobs", options->jobs, "parallel simulations (default: one per core)");
  command->add_option("--shard", options->shard, "run only shard i of n (0 <= i < n): points i, i+n, i+2n, ...");
  command->add_option("--out", options->out_dir, "results folder (default: out/sweep-<scenario name>)");
  command->add_flag("--report", options->report, "also write DIR/report.html (not for a shard: use merge --report)");
  command->add_flag("--quiet", options->quiet, "print nothing on success");
  command->callback([options] { run_sweep(*options); });
}

}  // namespace llmsim::app
