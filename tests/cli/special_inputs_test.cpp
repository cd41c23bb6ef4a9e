// Issue 22: special inputs and write failures, through the real binary.
//   - A 50 MB file that is one line, as a trace and as a config.json: a clear one-line error
//     (exit 2), in bounded time and memory (the child's peak RSS, from wait4, stays far below
//     the file's size: nothing reads the line whole). The files are made in the test's temp
//     folder, never committed.
//   - A results folder that cannot be written: as a folder whose parent is a regular file
//     (fails for root too), and as a full file system in the middle of a run (a small tmpfs
//     mounted in a private mount namespace, `unshare -rm`, where the kernel allows it; else,
//     for a user that is not root, a parent folder without write permission; else, for root,
//     a --trace file on /dev/full, which fails every write with ENOSPC). The previous results
//     stay as they were and no complete-looking file appears.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tests/cli/run_llmsim.h"

namespace {

namespace fs = std::filesystem;
using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;
using llmsim::testing::run_shell;

struct Measured {
  int exit_code = -1;
  std::string output;
  double seconds = 0.0;
  long max_rss_kib = 0;  ///< the child's peak resident memory (getrusage's ru_maxrss, KiB)
};

/// Runs LLMSIM_BINARY with `args` from the source folder and measures that one process
/// (wait4 reports the rusage of the child it reaps, not of earlier ones).
Measured run_measured(const std::vector<std::string>& args, const std::string& output_file) {
  std::vector<std::string> argv_text{LLMSIM_BINARY};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& text : argv_text) argv.push_back(text.data());
  argv.push_back(nullptr);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const int fd = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::chdir(LLMSIM_SOURCE_DIR) != 0) ::_exit(126);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  REQUIRE(::wait4(pid, &status, 0, &usage) == pid);
  Measured measured;
  measured.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  measured.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  measured.max_rss_kib = usage.ru_maxrss;
  measured.output = read_whole_file(output_file);
  return measured;
}

/// A file of `bytes` bytes of `fill`, no newline: one line.
std::string one_line_file(const std::string& dir, const std::string& name, std::size_t bytes, char fill) {
  fs::create_directories(dir);
  const std::string path = dir + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  const std::string chunk(1 << 20, fill);
  for (std::size_t written = 0; written < bytes; written += chunk.size()) {
    out.write(chunk.data(), static_cast<std::streamsize>(std::min(chunk.size(), bytes - written)));
  }
  REQUIRE(out.good());
  return path;
}

constexpr std::size_t kFiftyMb = std::size_t{50} << 20;
/// Peak memory a run that refuses a 50 MB file may take beyond the same binary refusing a
/// 10-byte one: half the file. Relative, because the baseline differs by build (about 6 MiB
/// in Release, over 40 MiB under AddressSanitizer's shadow memory); reading the file whole
/// would add at least its 50 MB.
constexpr long kExtraRssKib = 24L << 10;

/// Peak RSS of llmsim refusing a 10-byte one-line trace (loading the scenario and presets).
long baseline_rss_kib(const std::string& dir) {
  const std::string tiny = one_line_file(dir, "tiny.csv", 10, '7');
  const Measured run = run_measured({"run", "tests/malformed/trace_plain.yaml", "--set", "workload.trace.path=" + tiny,
                                     "--quiet", "--out", dir + "/out"},
                                    dir + "/baseline-output.txt");
  REQUIRE(run.exit_code == 2);
  MESSAGE("baseline: a 10-byte one-line trace refused, peak RSS " << run.max_rss_kib << " KiB");
  return run.max_rss_kib;
}

}  // namespace

TEST_CASE("a 50 MB one-line trace is refused at its first MiB, quickly and in little memory") {
  const std::string dir = fresh_temp_dir("one-line-trace");
  const long max_rss_kib = baseline_rss_kib(dir) + kExtraRssKib;
  for (const char fill : {'7', ','}) {
    const std::string trace = one_line_file(dir, std::string("trace-") + (fill == ',' ? "commas" : "digits") + ".csv",
                                            kFiftyMb, fill);
    const Measured run = run_measured({"run", "tests/malformed/trace_plain.yaml", "--set",
                                       "workload.trace.path=" + trace, "--quiet", "--out", dir + "/out"},
                                      dir + "/output.txt");
    MESSAGE("50 MB one-line trace of '" << std::string(1, fill) << "': exit " << run.exit_code << ", " << run.seconds << " s, peak RSS "
                                        << run.max_rss_kib << " KiB");
    CHECK(run.exit_code == 2);
    CHECK(run.output == "llmsim: " + trace + ":1: the line is longer than 1048576 bytes: not a trace row (is this a "
                        "trace file?)\n");
    CHECK(run.seconds < 20.0);
    CHECK(run.max_rss_kib < max_rss_kib);
    CHECK_FALSE(fs::exists(dir + "/out"));
  }
  // The same blob after a valid header: the row's line is named.
  const std::string headed = dir + "/headed.csv";
  {
    std::ofstream out(headed, std::ios::binary | std::ios::trunc);
    out << "arrival_s,input_tokens,output_tokens\n";
  }
  const std::string blob = one_line_file(dir, "blob", kFiftyMb, 'x');
  REQUIRE(run_shell("cat '" + blob + "' >> '" + headed + "'").exit_code == 0);
  const Measured row = run_measured(
      {"run", "tests/malformed/trace_plain.yaml", "--set", "workload.trace.path=" + headed, "--quiet", "--out", dir + "/out"},
      dir + "/output.txt");
  CHECK(row.exit_code == 2);
  CHECK(row.output.find(headed + ":2: the line is longer than") != std::string::npos);
  CHECK(row.max_rss_kib < max_rss_kib);
}

TEST_CASE("a 50 MB one-line config.json is refused by its size before it is read") {
  const std::string dir = fresh_temp_dir("one-line-config");
  const long max_rss_kib = baseline_rss_kib(dir) + kExtraRssKib;
  const std::string config = one_line_file(dir, "config.json", kFiftyMb, '[');
  const Measured run =
      run_measured({"flops", "--model", config, "--input-tokens", "1", "--output-tokens", "1"}, dir + "/output.txt");
  MESSAGE("50 MB one-line config.json: exit " << run.exit_code << ", " << run.seconds << " s, peak RSS "
                                              << run.max_rss_kib << " KiB");
  CHECK(run.exit_code == 2);
  CHECK(run.output == "llmsim: " + config + ": the file holds 52428800 bytes, more than the 16777216 an input of "
                      "this kind may hold\n");
  CHECK(run.seconds < 20.0);
  CHECK(run.max_rss_kib < max_rss_kib);
}

TEST_CASE("an --out folder that cannot be made is refused, for root too, and touches nothing") {
  // The parent is a regular file: no process, root included, can make a folder under it.
  const std::string file = llmsim::testing::write_test_file("out-under-file", "results", "not a folder");
  const auto outcome = run_llmsim("run tests/malformed/synthetic_base.yaml --quiet --out " + file + "/run");
  CHECK(outcome.exit_code == 2);
  CHECK(outcome.output.find("llmsim: " + file + "/run: --out: cannot create the folder: Not a directory") == 0);
  CHECK(read_whole_file(file) == "not a folder");
  // The same for a sweep and a merge.
  CHECK(run_llmsim("sweep tests/malformed/synthetic_base.yaml --quiet --grid seed=1,2 --out " + file + "/sweep")
            .exit_code == 2);
  CHECK(read_whole_file(file) == "not a folder");
}

TEST_CASE("a write that fails mid-run leaves the previous results whole and no new complete-looking file") {
  const std::string dir = fresh_temp_dir("write-failure");
  fs::create_directories(dir);
  const std::string binary = LLMSIM_BINARY;
  const std::string scenario = std::string(LLMSIM_SOURCE_DIR) + "/tests/malformed/synthetic_base.yaml";
  // 1. A full tmpfs in a private mount namespace: the second run's files do not fit.
  const std::string script_path = dir + "/full-tmpfs.sh";
  {
    std::ofstream script(script_path, std::ios::binary | std::ios::trunc);
    script << "set -u\nexport LC_ALL=C\nfs='" << dir << "/fs'\nmkdir -p \"$fs\"\n"
           << "mount -t tmpfs -o size=256k tmpfs \"$fs\" || exit 90\n"
           << "'" << binary << "' run '" << scenario << "' --quiet --out \"$fs/out\" || exit 91\n"
           << "cp \"$fs/out/summary.json\" '" << dir << "/before.json'\n"
           << "dd if=/dev/zero of=\"$fs/filler\" bs=4k 2>/dev/null\n"
           << "'" << binary << "' run '" << scenario << "' --set seed=9 --quiet --out \"$fs/out\" > '" << dir
           << "/second.txt' 2>&1\n"
           << "echo $? > '" << dir << "/second.rc'\n"
           << "cp \"$fs/out/summary.json\" '" << dir << "/after.json'\n"
           << "ls -A \"$fs\" > '" << dir << "/listing'\n"
           << "ls -A \"$fs/out\" > '" << dir << "/out-listing'\n";
  }
  const auto namespaced = run_shell("unshare -rm sh '" + script_path + "'");
  if (namespaced.exit_code == 0) {
    MESSAGE("write failure: a full 256 KiB tmpfs in a private mount namespace");
    CHECK(read_whole_file(dir + "/second.rc") == "2\n");
    CHECK(read_whole_file(dir + "/second.txt").find("No space left on device") != std::string::npos);
    CHECK(read_whole_file(dir + "/after.json") == read_whole_file(dir + "/before.json"));
    CHECK(read_whole_file(dir + "/before.json").find("\"seed\": 1") != std::string::npos);
    // The results folder, the filler, the lock: no staging folder, no partial file.
    CHECK(read_whole_file(dir + "/listing") == ".out.lock\nfiller\nout\n");
    CHECK(read_whole_file(dir + "/out-listing") == ".llmsim-results\nrequests.csv\nsummary.json\n");
    return;
  }
  MESSAGE("no private mount namespace here (" << namespaced.output << "); falling back");
  const std::string parent = dir + "/fallback";
  fs::create_directories(parent);
  const std::string out = parent + "/out";
  REQUIRE(run_llmsim("run tests/malformed/synthetic_base.yaml --quiet --out " + out).exit_code == 0);
  const std::string before = read_whole_file(out + "/summary.json");
  llmsim::testing::LlmsimOutcome failed;
  if (::geteuid() != 0) {
    // 2. Not root: the folder beside which the staging folder would be made is read-only.
    MESSAGE("write failure: a parent folder without write permission");
    REQUIRE(::chmod(parent.c_str(), 0555) == 0);
    failed = run_llmsim("run tests/malformed/synthetic_base.yaml --set seed=9 --quiet --out " + out);
    ::chmod(parent.c_str(), 0755);
    CHECK(failed.output.find("Permission denied") != std::string::npos);
  } else {
    // 3. Root without mount namespaces: /dev/full fails every write with ENOSPC, after the
    // run has written its summary into the staging folder.
    MESSAGE("write failure: --trace /dev/full (ENOSPC)");
    failed = run_llmsim("run tests/malformed/synthetic_base.yaml --set seed=9 --trace /dev/full --quiet --out " + out);
    CHECK(failed.output.find("No space left on device") != std::string::npos);
  }
  CHECK(failed.exit_code == 2);
  CHECK(read_whole_file(out + "/summary.json") == before);
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(parent)) names.insert(entry.path().filename().string());
  CHECK(names == std::set<std::string>{".out.lock", "out"});
}
