// `llmsim merge DIR|MANIFEST... [--out DIR]`: joins the shards of a sweep (each run with
// `llmsim sweep --shard i/n`) into the sweep.json and sweep.csv one unsharded run writes.
// Issue 22: shards of another grid or scenario, and points whose summary is not the one
// their manifest lists, are refused; the merged files are added to the folder whole or not
// at all (app/result_folder.h, add mode, sweep.json last); a sweep with failed points exits 1.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analysis/html_report.h"
#include "analysis/sweep_merge.h"
#include "analysis/text_files.h"
#include "app/command_exit.h"
#include "app/commands.h"
#include "app/result_folder.h"
#include "core/input_error.h"

namespace llmsim::app {
namespace {

namespace fs = std::filesystem;

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out_dir;
  bool report = false;
  bool quiet = false;
};

void run_merge(const MergeOptions& options) {
  std::string out_dir = options.out_dir;
  if (out_dir.empty()) {
    const fs::path first(options.inputs.front());
    out_dir = analysis::is_folder(first.string()) ? first.string() : first.parent_path().string();
    if (out_dir.empty() || out_dir == ".") out_dir = fs::current_path().string();
  }
  analysis::MergeOutcome outcome;
  {
    ResultFolder folder(out_dir, AddPlan{"sweep", {"sweep.json", "sweep.csv", "report.html", ResultFolder::kManifestName},
                                         "sweep.json"});
    outcome = analysis::merge_sweep_shards(options.inputs, out_dir, folder.staging());
    folder.commit();
  }
  std::string report_path;
  if (options.report) {
    // Drawn from the committed folder, whose points the staging folder may not all hold;
    // written under a private name and renamed, so no half-written report.html appears.
    report_path = (fs::path(out_dir) / "report.html").string();
    const std::string partial = report_path + ".partial";
    analysis::write_text_file(partial, analysis::html_report_for_folder(out_dir));
    std::error_code error;
    fs::rename(partial, report_path, error);
    if (error) throw core::InputError(report_path, 0, "", "cannot write the file: " + error.message());
  }
  if (!options.quiet) {
    fmt::print("merged {} shards, {} points: {}/sweep.csv, {}/sweep.json{}\n", outcome.shards, outcome.points,
               out_dir, out_dir, report_path.empty() ? "" : ", " + report_path);
  }
  if (outcome.failed_points > 0) {
    fmt::print(stderr, "llmsim: merge: {} of {} points of the sweep failed (status and error in {}/sweep.csv); the "
               "first: {}\n", outcome.failed_points, outcome.points, out_dir, outcome.first_failure);
    throw CommandExit{1};
  }
}

}  // namespace

void add_merge_command(CLI::App& app) {
  auto options = std::make_shared<MergeOptions>();
  CLI::App* command =
      app.add_subcommand("merge", "join the shards of a sweep (sweep --shard i/n) into sweep.csv and sweep.json");
  command->add_option("inputs", options->inputs, "sweep folders holding sweep.shard-*-of-*.json, or those files")
      ->required();
  command->add_option("--out", options->out_dir, "results folder (default: the first input folder)");
  command->add_flag("--report", options->report, "also write DIR/report.html");
  command->add_flag("--quiet", options->quiet, "print nothing on success");
  command->callback([options] { run_merge(*options); });
}

}  // namespace llmsim::app
