// Issue 22: sweeps, merges and reports whose results are whole or absent and of one run. Runs
// the real binary: a sweep with a point that fails, a sweep replacing an older one, shards
// adding to one folder, merges of shards that are not one sweep or whose points were
// swapped, and `report` on a folder holding a file of another run.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/cli/run_llmsim.h"

namespace {

namespace fs = std::filesystem;
using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;
using Json = nlohmann::json;

/// Four quick points (100 requests each) of the overload scenario.
const std::string kSweep =
    "sweep configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 "
    "--grid workload.arrival.rate_per_s=5,20 --grid engine.max_num_seqs=16,256";

/// The entries of `dir` (hidden ones too), and of `dir`/points.
std::set<std::string> entries(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

/// Entries beside `dir` whose names start with ".<name>.partial": staging folders.
int staging_folders_beside(const std::string& dir) {
  const fs::path path(dir);
  std::string prefix = ".";
  prefix.append(path.filename().string()).append(".partial");
  int count = 0;
  for (const auto& entry : fs::directory_iterator(path.parent_path())) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("a sweep point that fails once it runs is a failed row with its reason; the others finish; exit 1") {
  // The simulator refuses prefix sharing (Mooncake's hash ids) over gpt-oss-20b's
  // sliding-window layers; Llama 3.1 8B runs. The scenario loads at both points.
  const std::string out = fresh_temp_dir("sweep-failed-point");
  const auto outcome = run_llmsim(
      "sweep configs/scenarios/prefix-cache-mooncake.yaml --quiet --set workload.trace.max_rows=40 "
      "--grid model=gpt-oss-20b,llama-3.1-8b --jobs 2 --out " + out);
  CHECK(outcome.exit_code == 1);
  CHECK(outcome.output.find("llmsim: sweep: 1 of 2 points failed (status and error in " + out + "/sweep.csv)") == 0);
  CHECK(outcome.output.find("sliding-window") != std::string::npos);
  const std::string csv = read_whole_file(out + "/sweep.csv");
  CHECK(csv.rfind("point,model,status,error,completed,", 0) == 0);
  CHECK(csv.find("\n0,gpt-oss-20b,failed,") != std::string::npos);
  CHECK(csv.find("(at sweep point 0: model=gpt-oss-20b)") != std::string::npos);
  CHECK(csv.find("\n1,llama-3.1-8b,ok,,40,0,") != std::string::npos);
  CHECK_FALSE(fs::exists(out + "/points/0000"));
  CHECK(fs::exists(out + "/points/0001/summary.json"));
  const Json manifest = Json::parse(read_whole_file(out + "/sweep.json"));
  CHECK(manifest["points"][0]["status"] == "failed");
  CHECK(manifest["points"][1]["status"] == "ok");
  // The report draws the point that ran and leaves the failed one out.
  CHECK(run_llmsim("report " + out + " --quiet").exit_code == 0);
}

TEST_CASE("a sweep replaces an older sweep's folder whole, and a held folder or a user's file is refused") {
  const std::string out = fresh_temp_dir("sweep-replace");
  REQUIRE(run_llmsim(kSweep + " --out " + out).exit_code == 0);
  CHECK(fs::exists(out + "/points/0003/summary.json"));
  REQUIRE(run_llmsim("sweep configs/scenarios/overload.yaml --quiet --set workload.num_requests=50 "
                     "--grid seed=1,2 --out " + out)
              .exit_code == 0);
  // No point of the older, larger sweep is left beside the new sweep.json.
  CHECK(entries(out + "/points") == std::set<std::string>{"0000", "0001"});
  CHECK(entries(out) == std::set<std::string>{".llmsim-results", "points", "sweep.csv", "sweep.json"});
  CHECK(staging_folders_beside(out) == 0);

  write_file(out + "/notes.txt", "mine");
  const auto foreign = run_llmsim(kSweep + " --out " + out);
  CHECK(foreign.exit_code == 2);
  CHECK(foreign.output.find("--out: holds \"notes.txt\", which llmsim did not write") != std::string::npos);
  CHECK(read_whole_file(out + "/notes.txt") == "mine");
}

TEST_CASE("shards add their files to one folder; a shard run again drops the merged files it makes stale") {
  const std::string out = fresh_temp_dir("sweep-shards-add");
  // Over an unsharded sweep's folder: the shard removes the whole sweep's files and manifest,
  // which no longer describe the folder.
  REQUIRE(run_llmsim(kSweep + " --out " + out).exit_code == 0);
  REQUIRE(fs::exists(out + "/.llmsim-results"));
  REQUIRE(run_llmsim(kSweep + " --shard 0/2 --out " + out).exit_code == 0);
  CHECK_FALSE(fs::exists(out + "/.llmsim-results"));
  CHECK_FALSE(fs::exists(out + "/sweep.json"));
  REQUIRE(run_llmsim(kSweep + " --shard 1/2 --out " + out).exit_code == 0);
  CHECK(entries(out + "/points") == std::set<std::string>{"0000", "0001", "0002", "0003"});
  REQUIRE(run_llmsim("merge " + out + " --quiet").exit_code == 0);
  CHECK(fs::exists(out + "/sweep.json"));
  // Shard 1 again: its points and manifest are replaced, and the merged sweep.json and
  // sweep.csv, which no longer describe the folder for certain, are removed.
  REQUIRE(run_llmsim(kSweep + " --shard 1/2 --out " + out).exit_code == 0);
  CHECK_FALSE(fs::exists(out + "/sweep.json"));
  CHECK_FALSE(fs::exists(out + "/sweep.csv"));
  CHECK(fs::exists(out + "/sweep.shard-0-of-2.json"));
  CHECK(fs::exists(out + "/sweep.shard-1-of-2.json"));
  CHECK(staging_folders_beside(out) == 0);
  CHECK(run_llmsim("merge " + out + " --quiet").exit_code == 0);
}

TEST_CASE("a shard killed mid-way leaves its part absent, and merge names it missing") {
  const std::string out = fresh_temp_dir("sweep-shard-killed");
  REQUIRE(run_llmsim(kSweep + " --shard 0/2 --out " + out).exit_code == 0);
  // Shard 1 with 2 million requests per point, killed while it runs.
  const auto killed = llmsim::testing::run_shell(
      "timeout -s KILL 2 '" + std::string(LLMSIM_BINARY) +
      "' sweep configs/scenarios/overload.yaml --quiet --set workload.num_requests=2000000 "
      "--grid workload.arrival.rate_per_s=5,20 --grid engine.max_num_seqs=16,256 --shard 1/2 --out " + out);
  CHECK(killed.exit_code == 137);
  CHECK_FALSE(fs::exists(out + "/sweep.shard-1-of-2.json"));
  const auto merged = run_llmsim("merge " + out);
  CHECK(merged.exit_code == 2);
  CHECK(merged.output == "llmsim: merge: shard 1/2 is missing (expected sweep.shard-1-of-2.json)\n");
}

TEST_CASE("merge refuses shards of different grids or of an edited scenario") {
  const std::string a = fresh_temp_dir("merge-grid-a");
  const std::string b = fresh_temp_dir("merge-grid-b");
  // Same keys, same number of points, other values.
  REQUIRE(run_llmsim(kSweep + " --shard 0/2 --out " + a).exit_code == 0);
  REQUIRE(run_llmsim("sweep configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 "
                     "--grid workload.arrival.rate_per_s=5,30 --grid engine.max_num_seqs=16,256 --shard 1/2 --out " +
                     b)
              .exit_code == 0);
  const std::string merged_dir = fresh_temp_dir("merge-grid-out");
  const auto grids = run_llmsim("merge " + a + " " + b + " --out " + merged_dir);
  CHECK(grids.exit_code == 2);
  CHECK(grids.output.find(b + "/sweep.shard-1-of-2.json: grid_digest: differs from " + a +
                          "/sweep.shard-0-of-2.json: the shards ran different grids") != std::string::npos);
  CHECK_FALSE(fs::exists(merged_dir + "/sweep.json"));

  // The scenario file edited between the shards: same path, other content.
  const std::string folder = fresh_temp_dir("merge-scenario");
  fs::create_directories(folder);
  const std::string scenario = folder + "/overload.yaml";
  fs::copy_file(fs::path(LLMSIM_SOURCE_DIR) / "configs/scenarios/overload.yaml", scenario);
  const std::string sweep = "sweep " + scenario + " --quiet --set workload.num_requests=50 --grid seed=1,2 ";
  REQUIRE(run_llmsim(sweep + "--shard 0/2 --out " + folder + "/out").exit_code == 0);
  // A setting the grid does not sweep: the shards would simulate different systems.
  std::string text = read_whole_file(scenario);
  REQUIRE(text.find("max_num_seqs: 256") != std::string::npos);
  text.replace(text.find("max_num_seqs: 256"), 17, "max_num_seqs: 128");
  write_file(scenario, text);
  REQUIRE(run_llmsim(sweep + "--shard 1/2 --out " + folder + "/out").exit_code == 0);
  const auto edited = run_llmsim("merge " + folder + "/out");
  CHECK(edited.exit_code == 2);
  CHECK(edited.output.find("scenario_digest: differs from") != std::string::npos);
  CHECK(edited.output.find("changed between the shards") != std::string::npos);
}

TEST_CASE("merge and report refuse a point summary that is not the one the manifest lists") {
  const std::string out = fresh_temp_dir("merge-swapped-point");
  REQUIRE(run_llmsim(kSweep + " --shard 0/2 --out " + out).exit_code == 0);
  REQUIRE(run_llmsim(kSweep + " --shard 1/2 --out " + out).exit_code == 0);
  // Point 2's summary copied over point 0's: valid JSON of the same sweep, the wrong point.
  fs::copy_file(out + "/points/0002/summary.json", out + "/points/0000/summary.json",
                fs::copy_options::overwrite_existing);
  const auto merged = run_llmsim("merge " + out);
  CHECK(merged.exit_code == 2);
  CHECK(merged.output.find(out + "/points/0000/summary.json: does not match " + out +
                           "/sweep.shard-0-of-2.json (point 0: summary_digest differs)") != std::string::npos);
  CHECK_FALSE(fs::exists(out + "/sweep.json"));

  // A whole sweep's folder: report checks each summary against sweep.json.
  const std::string whole = fresh_temp_dir("report-swapped-point");
  REQUIRE(run_llmsim(kSweep + " --out " + whole).exit_code == 0);
  REQUIRE(run_llmsim("report " + whole + " --quiet").exit_code == 0);
  fs::copy_file(whole + "/points/0002/summary.json", whole + "/points/0001/summary.json",
                fs::copy_options::overwrite_existing);
  const auto report = run_llmsim("report " + whole + " --quiet");
  CHECK(report.exit_code == 2);
  CHECK(report.output.find("points/0001/summary.json: not the summary") != std::string::npos);
}

TEST_CASE("report refuses a run folder holding a file of another run, or without a manifest") {
  const std::string a = fresh_temp_dir("report-run-a");
  const std::string b = fresh_temp_dir("report-run-b");
  const std::string run = "run tests/malformed/synthetic_base.yaml --quiet --report --out ";
  REQUIRE(run_llmsim(run + a).exit_code == 0);
  REQUIRE(run_llmsim(run + b + " --set seed=9").exit_code == 0);
  REQUIRE(run_llmsim("report " + a + " --quiet").exit_code == 0);
  const std::string manifest = read_whole_file(a + "/.llmsim-results");
  CHECK(manifest.find("\nrun\t") != std::string::npos);
  CHECK(manifest.find("\nsummary.json\t") != std::string::npos);
  CHECK(manifest.find("\nrequests.csv\t") != std::string::npos);

  // b's requests.csv in a: valid, plausible, and of another run.
  fs::copy_file(b + "/requests.csv", a + "/requests.csv", fs::copy_options::overwrite_existing);
  const auto mixed = run_llmsim("report " + a + " --quiet");
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.output.find(a + "/requests.csv: changed since run ") != std::string::npos);

  // A manifest-less folder (an older llmsim, or put together by hand).
  fs::remove(b + "/.llmsim-results");
  const auto unlisted = run_llmsim("report " + b + " --quiet");
  CHECK(unlisted.exit_code == 2);
  CHECK(unlisted.output.find("cannot tell which run wrote the files of this folder") != std::string::npos);
}

TEST_CASE("shards of one sweep write into one folder at once; a shard already being written, or a whole sweep, is refused") {
  const std::string out = fresh_temp_dir("sweep-shards-locks");
  fs::create_directories(fs::path(out).parent_path());
  const std::string name = fs::path(out).filename().string();
  const fs::path parent = fs::path(out).parent_path();
  // As a running shard 1/2 holds them: the folder lock shared, its part's lock exclusive.
  std::string folder_lock_name = ".";
  folder_lock_name.append(name).append(".lock");
  std::string part_lock_name = ".";
  part_lock_name.append(name).append(".sweep.shard-1-of-2.lock");
  const int folder_fd = ::open((parent / folder_lock_name).c_str(), O_RDWR | O_CREAT, 0644);
  const int part_fd = ::open((parent / part_lock_name).c_str(), O_RDWR | O_CREAT, 0644);
  REQUIRE(folder_fd >= 0);
  REQUIRE(part_fd >= 0);
  REQUIRE(::flock(folder_fd, LOCK_SH | LOCK_NB) == 0);
  REQUIRE(::flock(part_fd, LOCK_EX | LOCK_NB) == 0);
  const auto same_shard = run_llmsim(kSweep + " --shard 1/2 --out " + out);
  CHECK(same_shard.exit_code == 2);
  CHECK(same_shard.output.find("another llmsim run is writing sweep.shard-1-of-2 into this folder") !=
        std::string::npos);
  const auto whole = run_llmsim(kSweep + " --out " + out);
  CHECK(whole.exit_code == 2);
  CHECK(whole.output.find("another llmsim run is writing into this folder") != std::string::npos);
  CHECK(run_llmsim(kSweep + " --shard 0/2 --out " + out).exit_code == 0);
  ::close(part_fd);
  ::close(folder_fd);
  // Both shards at the same time, as array tasks on a cluster run them.
  const std::string shard = std::string("'") + LLMSIM_BINARY + "' " + kSweep + " --out " + out + " --shard ";
  const auto both = llmsim::testing::run_shell(shard + "0/2 & " + shard + "1/2; a=$?; wait $!; b=$?; "
                                               "wait; echo \"exits $a $b\"");
  CHECK(both.output.find("exits 0 0") != std::string::npos);
  CHECK(run_llmsim("merge " + out + " --quiet").exit_code == 0);
  CHECK(entries(out + "/points") == std::set<std::string>{"0000", "0001", "0002", "0003"});
}
