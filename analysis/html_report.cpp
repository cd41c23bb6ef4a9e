#include "analysis/html_report.h"

#include <filesystem>

#include "analysis/plan_report.h"
#include "analysis/report_page.h"
#include "analysis/run_report.h"
#include "analysis/sweep_report.h"
#include "analysis/text_files.h"
#include "core/input_error.h"

namespace llmsim::analysis {

std::string html_report_for_folder(const std::string& dir, std::size_t* charts) {
  namespace fs = std::filesystem;
  if (!is_folder(dir)) throw core::InputError(dir, 0, "", "not a folder");
  // Each section titles the page from its files, not from the folder's name, so the page's
  // bytes depend only on the results.
  ReportPage page("llmsim report");
  if (path_exists((fs::path(dir) / "plan.json").string())) {
    add_plan_report(page, dir);
  } else if (path_exists((fs::path(dir) / "sweep.json").string())) {
    add_sweep_report(page, dir);
  } else if (path_exists((fs::path(dir) / "summary.json").string())) {
    add_run_report(page, dir);
  } else {
    throw core::InputError(dir, 0, "", "no plan.json, sweep.json or summary.json: not a results folder");
  }
  if (charts != nullptr) *charts = page.charts();
  return page.html();
}

}  // namespace llmsim::analysis
