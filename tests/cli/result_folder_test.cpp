// Issue 22: a results folder is whole or absent. Runs the real binary: a run after a
// different run, a folder holding a user's file, a second run while the folder is locked,
// a run that fails after writing results, and a run killed with SIGKILL.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/cli/run_llmsim.h"

namespace {

namespace fs = std::filesystem;
using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;

const std::string kScenario = "tests/malformed/synthetic_base.yaml";

/// The visible files of `dir` (the hidden manifest, .llmsim-results, left out).
std::set<std::string> names_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.front() != '.') names.insert(name);
  }
  return names;
}

/// Entries next to `dir` whose names start with ".<name>.partial": staging folders.
int staging_folders_beside(const std::string& dir) {
  const fs::path path(dir);
  // Built with append(): GCC 12 at -O3 raises a false -Wrestrict on "." + name + "...".
  std::string prefix = ".";
  prefix.append(path.filename().string()).append(".partial");
  int count = 0;
  for (const auto& entry : fs::directory_iterator(path.parent_path())) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("a run into a folder of an earlier, different run leaves only its own files") {
  const std::string out = fresh_temp_dir("folder-rerun");
  REQUIRE(run_llmsim("run " + kScenario + " --report --quiet --out " + out).exit_code == 0);
  CHECK(names_in(out) == std::set<std::string>{"report.html", "requests.csv", "summary.json", "timeseries.csv"});
  const auto second = run_llmsim("run " + kScenario + " --no-requests-csv --set seed=9 --quiet --out " + out);
  CHECK(second.exit_code == 0);
  // No requests.csv, timeseries.csv or report.html of the first run beside the new summary.
  CHECK(names_in(out) == std::set<std::string>{"summary.json"});
  CHECK(read_whole_file(out + "/summary.json").find("\"seed\": 9") != std::string::npos);
  CHECK(staging_folders_beside(out) == 0);
}

TEST_CASE("a --trace file placed inside the results folder is committed with it and replaced by the next run") {
  const std::string out = fresh_temp_dir("folder-trace-inside");
  REQUIRE(run_llmsim("run " + kScenario + " --quiet --out " + out + " --trace " + out + "/trace.json").exit_code == 0);
  CHECK(names_in(out) == std::set<std::string>{"requests.csv", "summary.json", "trace.json"});
  // The manifest lists trace.json, so the folder is still llmsim's to replace.
  CHECK(run_llmsim("run " + kScenario + " --quiet --out " + out).exit_code == 0);
  CHECK(names_in(out) == std::set<std::string>{"requests.csv", "summary.json"});
}

TEST_CASE("a folder holding a file llmsim did not write is refused, not replaced") {
  const std::string out = fresh_temp_dir("folder-foreign");
  fs::create_directories(out);
  llmsim::testing::write_test_file("folder-foreign", "notes.txt", "mine");
  const auto outcome = run_llmsim("run " + kScenario + " --quiet --out " + out);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("--out: holds \"notes.txt\", which llmsim did not write") != std::string::npos);
  CHECK(read_whole_file(out + "/notes.txt") == "mine");
  CHECK(names_in(out) == std::set<std::string>{"notes.txt"});
}

TEST_CASE("a second run into a folder another run holds is refused with a clear message") {
  const std::string out = fresh_temp_dir("folder-locked");
  std::string lock_name = ".";
  lock_name.append(fs::path(out).filename().string()).append(".lock");
  const fs::path lock = fs::path(out).parent_path() / lock_name;
  // Hold the lock as a running llmsim would.
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
  const auto outcome = run_llmsim("run " + kScenario + " --quiet --out " + out);
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("another llmsim run is writing into this folder") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  ::close(fd);
  // Released: the next run goes ahead.
  CHECK(run_llmsim("run " + kScenario + " --quiet --out " + out).exit_code == 0);
  CHECK(fs::exists(out + "/summary.json"));
}

TEST_CASE("a run that fails after writing results leaves the previous results as they were") {
  const std::string out = fresh_temp_dir("folder-failed");
  REQUIRE(run_llmsim("run " + kScenario + " --quiet --out " + out).exit_code == 0);
  const std::string before = read_whole_file(out + "/summary.json");
  // --dump-dag into a folder that cannot exist (its parent is a file) fails once the run has
  // written its summary into the staging folder.
  const std::string blocker = llmsim::testing::write_test_file("folder-failed-blocker", "file", "x");
  const auto outcome = run_llmsim("run tests/malformed/ttc_base.yaml --set seed=5 --dump-dag " + blocker +
                                  "/dag.dot --quiet --out " + out);
  CHECK(outcome.exit_code == 2);
  CHECK(read_whole_file(out + "/summary.json") == before);
  CHECK(names_in(out) == std::set<std::string>{"requests.csv", "summary.json"});
  CHECK(staging_folders_beside(out) == 0);
}

TEST_CASE("a run killed mid-way leaves no results folder; the next run clears its staging folder") {
  const std::string out = fresh_temp_dir("folder-killed");
  // Long enough to be killed while running (2 million requests), well inside the test's time.
  const auto killed = llmsim::testing::run_shell(
      "timeout -s KILL 2 '" + std::string(LLMSIM_BINARY) + "' run " + kScenario +
      " --set workload.num_requests=2000000 --set workload.arrival.rate_per_s=1000 --quiet --out " + out);
  CHECK(killed.exit_code == 137);
  CHECK_FALSE(fs::exists(out));
  CHECK(run_llmsim("run " + kScenario + " --quiet --out " + out).exit_code == 0);
  CHECK(fs::exists(out + "/summary.json"));
  CHECK(staging_folders_beside(out) == 0);
}
