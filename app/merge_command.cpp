// `llmsim merge DIR|MANIFEST... [--out DIR]`: joins the shards of a sweep (each run with
// `llmsim sweep --shard i/n`) into the sweep.json and sweep.csv one unsharded run writes.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "analysis/html_report.h"
#include "analysis/sweep_merge.h"
#include "analysis/text_files.h"
#include "app/commands.h"

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
    if (out_dir.empty()) out_dir = ".";
  }
  const analysis::MergeOutcome outcome = analysis::merge_sweep_shards(options.inputs, out_dir);
  std::string report_path;
  if (options.report) {
    report_path = (fs::path(out_dir) / "report.html").string();
    analysis::write_text_file(report_path, analysis::html_report_for_folder(out_dir));
  }
  if (options.quiet) return;
  fmt::print("merged {} shards, {} points: {}/sweep.csv, {}/sweep.json{}\n", outcome.shards, outcome.points, out_dir,
             out_dir, report_path.empty() ? "" : ", " + report_path);
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
