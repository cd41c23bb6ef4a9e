// `llmsim report DIR [--out FILE]`: a self-contained HTML page (inline SVG charts, no
// network at view time) for a run, sweep or plan results folder.
// Issue 22: the report reads only files of one run. A run folder's files must be those its
// manifest (.llmsim-results, app/result_folder.h) lists, byte for byte; a sweep folder's
// point summaries those its sweep.json lists (checked where they are read,
// analysis/sweep_report.cpp).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "analysis/html_report.h"
#include "analysis/text_files.h"
#include "app/commands.h"
#include "app/result_folder.h"
#include "core/input_error.h"

namespace llmsim::app {
namespace {

struct ReportOptions {
  std::string dir;
  std::string out_file;
  bool quiet = false;
};

/// The files the run report reads (analysis/run_report.cpp); a plan or sweep folder is told
/// by its plan.json or sweep.json, which html_report_for_folder looks for first.
void check_run_files(const std::string& dir) {
  namespace fs = std::filesystem;
  if (analysis::path_exists((fs::path(dir) / "plan.json").string()) ||
      analysis::path_exists((fs::path(dir) / "sweep.json").string())) {
    return;
  }
  ResultFolder::check_files_of_one_run(dir, {"summary.json", "requests.csv", "timeseries.csv"});
}

void run_report(const ReportOptions& options) {
  check_run_files(options.dir);
  std::size_t charts = 0;
  const std::string html = analysis::html_report_for_folder(options.dir, &charts);
  const std::string out =
      options.out_file.empty() ? (std::filesystem::path(options.dir) / "report.html").string() : options.out_file;
  // Under a private name, then renamed: no half-written report appears under `out`.
  const std::string partial = out + ".partial";
  analysis::write_text_file(partial, html);
  std::error_code error;
  std::filesystem::rename(partial, out, error);
  if (error) {
    std::filesystem::remove(partial, error);
    throw core::InputError(out, 0, "", "cannot write the file: " + error.message());
  }
  if (!options.quiet) fmt::print("{} charts: {}\n", charts, out);
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* command =
      app.add_subcommand("report", "write a self-contained HTML report of a run, sweep or plan results folder");
  command->add_option("dir", options->dir, "results folder (of run --out, sweep --out, merge or plan --out)")->required();
  command->add_option("--out", options->out_file, "HTML file (default: DIR/report.html)");
  command->add_flag("--quiet", options->quiet, "print nothing on success");
  command->callback([options] { run_report(*options); });
}

}  // namespace llmsim::app
