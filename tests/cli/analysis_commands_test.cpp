// End-to-end tests of sweep, merge, plan, compare, report and run --report/--trace.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "tests/cli/run_llmsim.h"

namespace {

using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;
using Json = nlohmann::json;

const std::string kSweep =
    "sweep configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 "
    "--grid workload.arrival.rate_per_s=5,20 --grid engine.max_num_seqs=16,256";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (const char c : text) {
    if (c == '\n') {
      lines.push_back(line);
      line.clear();
    } else {
      line += c;
    }
  }
  return lines;
}

/// A headless Chromium on PATH, or "".
std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    const auto found = run_llmsim(std::string("--help >/dev/null; command -v ") + name);
    if (found.exit_code == 0 && !found.output.empty()) return lines_of(found.output).back();
  }
  return "";
}

/// Checks that every chart of the report at `html_path` is drawn, and that there are
/// `expected_charts` of them. With Chromium: the page's own check of what the browser laid
/// out (data-drawn = series with a positive path length or marker box, per figure). Without:
/// every figure holds at least one polyline with at least two coordinates inside the SVG box.
void check_report_drawn(const std::string& html_path, std::size_t expected_charts) {
  const std::string html = read_whole_file(html_path);
  REQUIRE(html.rfind("<!DOCTYPE html>", 0) == 0);
  static const std::string chromium = find_chromium();
  if (!chromium.empty()) {
    const auto dom = run_llmsim("--help >/dev/null; '" + chromium +
                                "' --headless --no-sandbox --disable-gpu --disable-background-networking "
                                "--dump-dom 'file://" + html_path + "' 2>/dev/null");
    REQUIRE(dom.exit_code == 0);
    const std::regex drawn("<figure class=\"chart\"[^>]*data-drawn=\"([0-9]+)\"");
    std::size_t figures = 0;
    for (auto it = std::sregex_iterator(dom.output.begin(), dom.output.end(), drawn); it != std::sregex_iterator(); ++it) {
      ++figures;
      CHECK(std::stoi((*it)[1]) >= 1);
    }
    CHECK(figures == expected_charts);
    MESSAGE("checked " << html_path << " in " << chromium);
    return;
  }
  const std::regex figure("<figure class=\"chart\"[^>]*data-series=\"([0-9]+)\">([\\s\\S]*?)</figure>");
  const std::regex polyline("<polyline class=\"series\"[^>]*points=\"([^\"]*)\"");
  std::size_t figures = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), figure); it != std::sregex_iterator(); ++it) {
    ++figures;
    CHECK(std::stoi((*it)[1]) >= 1);
    const std::string body = (*it)[2];
    std::size_t drawn = 0;
    for (auto p = std::sregex_iterator(body.begin(), body.end(), polyline); p != std::sregex_iterator(); ++p) {
      const std::string points = (*p)[1];
      std::size_t pairs = 0;
      std::istringstream coordinates(points);
      std::string pair;
      while (coordinates >> pair) {
        const double x = std::stod(pair.substr(0, pair.find(',')));
        const double y = std::stod(pair.substr(pair.find(',') + 1));
        CHECK((x >= 0 && x <= 640 && y >= 0 && y <= 320));
        ++pairs;
      }
      if (pairs >= 1) ++drawn;
    }
    CHECK(drawn >= 1);
  }
  CHECK(figures == expected_charts);
  MESSAGE("no Chromium on PATH: checked the SVG structure of " << html_path);
}

}  // namespace

TEST_CASE("sweep results do not depend on --jobs and merged shards equal the unsharded sweep") {
  const std::string one = fresh_temp_dir("sweep-j1");
  const std::string three = fresh_temp_dir("sweep-j3");
  const std::string sharded = fresh_temp_dir("sweep-shards");
  REQUIRE(run_llmsim(kSweep + " --jobs 1 --out " + one).exit_code == 0);
  REQUIRE(run_llmsim(kSweep + " --jobs 3 --out " + three).exit_code == 0);
  for (const char* shard : {"0/3", "1/3", "2/3"}) {
    REQUIRE(run_llmsim(kSweep + " --shard " + shard + " --out " + sharded).exit_code == 0);
  }
  CHECK_FALSE(std::filesystem::exists(sharded + "/sweep.csv"));
  const auto merged = run_llmsim("merge " + sharded);
  REQUIRE(merged.exit_code == 0);
  CHECK(merged.output.find("merged 3 shards, 4 points") == 0);

  const std::string csv = read_whole_file(one + "/sweep.csv");
  const std::vector<std::string> lines = lines_of(csv);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].rfind("point,workload.arrival.rate_per_s,engine.max_num_seqs,status,error,completed,failed,duration,",
                        0) == 0);
  CHECK(lines[3].rfind("2,20,16,ok,,100,0,", 0) == 0);
  CHECK(csv == read_whole_file(three + "/sweep.csv"));
  CHECK(csv == read_whole_file(sharded + "/sweep.csv"));
  CHECK(read_whole_file(one + "/sweep.json") == read_whole_file(sharded + "/sweep.json"));

  // A point is exactly the run with the same overrides.
  const std::string single = fresh_temp_dir("sweep-single");
  REQUIRE(run_llmsim("run configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 "
                     "--set workload.arrival.rate_per_s=20 --set engine.max_num_seqs=16 --out " + single)
              .exit_code == 0);
  CHECK(read_whole_file(single + "/summary.json") == read_whole_file(sharded + "/points/0002/summary.json"));
}

TEST_CASE("a bad grid value exits 2 naming the grid key and a missing shard stops merge") {
  const auto bad = run_llmsim("sweep configs/scenarios/overload.yaml --grid engine.max_num_seqs=64,-3 --out " +
                              fresh_temp_dir("sweep-bad"));
  CHECK(bad.exit_code == 2);
  CHECK(bad.output == "llmsim: configs/scenarios/overload.yaml (--grid engine.max_num_seqs=-3): engine.max_num_seqs: "
                      "expected a positive integer, got \"-3\"\n");
  CHECK(run_llmsim("sweep configs/scenarios/overload.yaml --grid =1").exit_code == 2);
  CHECK(run_llmsim("sweep configs/scenarios/overload.yaml --grid seed=1 --shard 2/2").exit_code == 2);

  const std::string partial = fresh_temp_dir("sweep-partial");
  REQUIRE(run_llmsim(kSweep + " --shard 1/2 --out " + partial).exit_code == 0);
  const auto merged = run_llmsim("merge " + partial);
  CHECK(merged.exit_code == 2);
  CHECK(merged.output == "llmsim: merge: shard 0/2 is missing (expected sweep.shard-0-of-2.json)\n");
}

TEST_CASE("compare exits 0 on equal summaries, 1 on a field moved beyond tolerance, 2 on bad input") {
  const std::string dir = fresh_temp_dir("compare");
  REQUIRE(run_llmsim("run configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 --out " + dir)
              .exit_code == 0);
  const std::string base = dir + "/summary.json";
  Json moved = Json::parse(read_whole_file(base));
  moved["p99_ttft_ms"] = moved["p99_ttft_ms"].get<double>() * 1.05;
  const std::string changed = dir + "/moved.json";
  std::ofstream(changed) << moved.dump(2);

  const auto same = run_llmsim("compare " + base + " " + base + " --rtol 0");
  CHECK(same.exit_code == 0);
  CHECK(same.output.find(" 0 beyond tolerance") != std::string::npos);
  const auto beyond = run_llmsim("compare " + base + " " + changed + " --rtol 0.01");
  CHECK(beyond.exit_code == 1);
  CHECK(beyond.output.find("p99_ttft_ms") != std::string::npos);
  CHECK(beyond.output.find("+5.00%") != std::string::npos);
  CHECK(beyond.output.find("CHANGED") != std::string::npos);
  CHECK(run_llmsim("compare " + base + " " + changed + " --rtol 0.06").exit_code == 0);
  CHECK(run_llmsim("compare " + base + " " + changed + " --rtol 0.01 --fields 'mean_*'").exit_code == 0);
  CHECK(run_llmsim("compare " + base + " no/such/file.json").exit_code == 2);
}

TEST_CASE("compare reads a vLLM serving-benchmark result on the fields both sides have") {
  const std::string dir = fresh_temp_dir("compare-vllm");
  REQUIRE(run_llmsim("run configs/scenarios/overload.yaml --quiet --set workload.num_requests=100 --out " + dir)
              .exit_code == 0);
  const auto out = run_llmsim("compare tests/data/vllm/serving_result.json " + dir + "/summary.json --all --rtol 100");
  // 8 totals and throughputs (request_goodput as goodput.goodput_requests_per_s) and mean,
  // median, std, p99 of TTFT, TPOT and ITL; not num_prompts, request_rate or the arrays.
  CHECK(out.output.find("20 fields compared") != std::string::npos);
  CHECK(out.output.find("goodput.goodput_requests_per_s") != std::string::npos);
  CHECK(out.output.find("num_prompts") == std::string::npos);
  CHECK(out.exit_code != 2);
}

TEST_CASE("plan finds the highest rate within the SLO, sizes the fleet and is deterministic") {
  const std::string a = fresh_temp_dir("plan-a");
  const std::string b = fresh_temp_dir("plan-b");
  const std::string args =
      "plan configs/scenarios/overload.yaml --slo ttft_p99_ms=500,tpot_p99_ms=50 --requests 200 --target-rate 40 "
      "--hardware h100-sxm,a100-sxm-80gb --tp 1 --price h100-sxm=3 --price a100-sxm-80gb=2 --report";
  const auto out = run_llmsim(args + " --jobs 1 --out " + a);
  REQUIRE(out.exit_code == 0);
  CHECK(out.output.find("rank hardware") == 0);
  REQUIRE(run_llmsim(args + " --jobs 2 --quiet --out " + b).exit_code == 0);
  CHECK(read_whole_file(a + "/plan.json") == read_whole_file(b + "/plan.json"));
  CHECK(read_whole_file(a + "/plan.csv") == read_whole_file(b + "/plan.csv"));

  const Json plan = Json::parse(read_whole_file(a + "/plan.json"));
  bool found_h100 = false;
  for (const Json& option : plan["options"]) {
    if (option["hardware"] != "h100-sxm") continue;
    found_h100 = true;
    REQUIRE(option["status"] == "ok");
    const double max_rate = option["max_rate_per_s"].get<double>();
    double lowest_failure = 1e18;
    bool max_passed = false;
    for (const Json& e : option["evaluations"]) {
      const double rate = e["rate_per_s"].get<double>();
      if (e["passed"].get<bool>()) {
        CHECK(rate <= max_rate);
        max_passed = max_passed || rate == max_rate;
      } else {
        lowest_failure = std::min(lowest_failure, rate);
        CHECK(!e["failure"].get<std::string>().empty());
      }
    }
    CHECK(max_passed);
    CHECK(lowest_failure > max_rate);
    CHECK(lowest_failure - max_rate <= 0.02 * max_rate + 1e-9);
    CHECK(option["latency_at_max"]["p99_ttft_ms"].get<double>() <= 500.0);
    CHECK(option["latency_at_max"]["p99_tpot_ms"].get<double>() <= 50.0);
    const auto replicas = option["replicas_for_target"].get<std::int64_t>();
    CHECK(replicas == static_cast<std::int64_t>(std::ceil(40.0 / max_rate)));
    CHECK(option["gpus_for_target"] == replicas);
    CHECK(option["usd_per_hour_for_target"].get<double>() == doctest::Approx(3.0 * static_cast<double>(replicas)));
    // $3 per GPU-hour over the output tokens one replica makes in an hour at max_rate.
    CHECK(option["usd_per_million_output_tokens"].get<double>() ==
          doctest::Approx(3.0 / (option["output_tokens_per_s"].get<double>() * 3600.0) * 1e6));
    CHECK(option["joules_per_output_token"].get<double>() > 0.0);
  }
  CHECK(found_h100);
  CHECK(lines_of(read_whole_file(a + "/plan.csv")).size() == 3);
  check_report_drawn(a + "/report.html", 2);
}

TEST_CASE("plan prices every GPU of a pipeline-parallel replica") {
  const std::string dir = fresh_temp_dir("plan-pp");
  const auto out = run_llmsim(
      "plan configs/scenarios/overload.yaml --set deployment.pipeline_parallel=2 --slo ttft_p99_ms=2000 --tp 2 "
      "--requests 50 --target-rate 10 --price h100-sxm=3 --quiet --out " + dir);
  REQUIRE(out.exit_code == 0);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  REQUIRE(plan["options"].size() == 1);
  const Json& option = plan["options"][0];
  REQUIRE(option["max_rate_per_s"].is_number());
  CHECK(option["gpus_per_replica"] == 4);  // TP 2 x PP 2
  const auto replicas = option["replicas_for_target"].get<std::int64_t>();
  CHECK(option["gpus_for_target"] == 4 * replicas);
  CHECK(option["usd_per_million_output_tokens"].get<double>() ==
        doctest::Approx(3.0 * 4 / (option["output_tokens_per_s"].get<double>() * 3600.0) * 1e6));
}

TEST_CASE("plan lists an option whose model does not fit and refuses a rate it cannot vary") {
  const std::string dir = fresh_temp_dir("plan-nofit");
  const auto out = run_llmsim("plan configs/scenarios/tp4-70b.yaml --slo ttft_p99_ms=2000 --tp 1 --requests 50 --out " + dir);
  CHECK(out.exit_code == 0);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  REQUIRE(plan["options"].size() == 1);
  CHECK(plan["options"][0]["status"] == "cannot_deploy");
  CHECK(plan["options"][0]["note"].get<std::string>().find("does not fit") != std::string::npos);

  const auto closed = run_llmsim("plan configs/scenarios/offline-throughput.yaml --slo ttft_p99_ms=500 --out " + dir);
  CHECK(closed.exit_code == 2);
  CHECK(closed.output.find("plan varies the arrival rate") != std::string::npos);
  CHECK(run_llmsim("plan configs/scenarios/overload.yaml --slo ttft_p98_ms=5 --out " + dir).exit_code == 2);
  // Prefill and decode pools are planned by units (tests/cli/plan_disagg_test.cpp); --xpyd needs them.
  CHECK(run_llmsim("plan configs/scenarios/overload.yaml --slo ttft_p99_ms=500 --xpyd 1:1 --out " + dir).exit_code == 2);
  CHECK(run_llmsim("plan configs/scenarios/overload.yaml --slo ttft_p99_ms=5 --hardware no-such-gpu --out " + dir)
            .exit_code == 2);
}

TEST_CASE("run --report and --trace write a drawn report, time series and a trace window, byte-identical twice") {
  const std::string a = fresh_temp_dir("report-a");
  const std::string b = fresh_temp_dir("report-b");
  const std::string args =
      "run configs/scenarios/quickstart.yaml --quiet --set workload.trace.max_rows=300 --report "
      "--trace-start-s 10 --trace-end-s 20";
  REQUIRE(run_llmsim(args + " --out " + a + " --trace " + a + "/trace.json").exit_code == 0);
  REQUIRE(run_llmsim(args + " --out " + b + " --trace " + b + "/trace.json").exit_code == 0);
  for (const char* file : {"/report.html", "/timeseries.csv", "/trace.json"}) {
    CAPTURE(file);
    CHECK(read_whole_file(a + file).size() > 1000);
    CHECK(read_whole_file(a + file) == read_whole_file(b + file));
  }
  check_report_drawn(a + "/report.html", 9);

  const Json trace = Json::parse(read_whole_file(a + "/trace.json"));
  int iterations = 0;
  int requests = 0;
  for (const Json& e : trace["traceEvents"]) {
    if (e["ph"] != "X") continue;
    const double start_us = e["ts"].get<double>();
    const double end_us = start_us + e["dur"].get<double>();
    if (e["cat"] == "iteration") {
      ++iterations;
      CHECK(end_us >= 10e6);
      CHECK(start_us <= 20e6);
      CHECK(e["pid"] == 1);
      CHECK(e["args"]["seqs"].get<int>() >= 1);
    } else if (e["name"].get<std::string>().rfind("request ", 0) == 0) {
      ++requests;
      CHECK(end_us >= 10e6);
      CHECK(start_us <= 20e6);
    }
  }
  CHECK(iterations > 10);
  CHECK(requests > 0);
  CHECK(trace["otherData"]["iteration_events"] == iterations);

  // `report DIR` rebuilds the same page from the files.
  REQUIRE(run_llmsim("report " + b + " --quiet").exit_code == 0);
  CHECK(read_whole_file(b + "/report.html") == read_whole_file(a + "/report.html"));
}

TEST_CASE("report draws the latency-vs-parameter curves of a sweep and names a folder without results") {
  const std::string dir = fresh_temp_dir("report-sweep");
  REQUIRE(run_llmsim(kSweep + " --jobs 2 --out " + dir).exit_code == 0);
  const auto out = run_llmsim("report " + dir);
  REQUIRE(out.exit_code == 0);
  CHECK(out.output.find("5 charts") == 0);
  check_report_drawn(dir + "/report.html", 5);
  const auto empty = run_llmsim("report " + fresh_temp_dir("report-none") + "-missing");
  CHECK(empty.exit_code == 2);
}

TEST_CASE("report and merge exit 2 on a folder name the file system refuses") {
  // A 300-byte name is over ext4's and tmpfs's 255: std::filesystem's throwing queries once
  // ended these commands as internal errors (exit 3) instead of bad input.
  const std::string too_long = fresh_temp_dir("name") + "/" + std::string(300, 'a');
  for (const std::string& command : {"report " + too_long, "merge " + too_long}) {
    CAPTURE(command);
    const auto out = run_llmsim(command);
    CHECK(out.exit_code == 2);
    CHECK(out.output.find("internal error") == std::string::npos);
    CHECK(out.output.find("llmsim: " + too_long + ": ") != std::string::npos);
  }
}

TEST_CASE("help exits 0 on the sweep, merge, plan, compare and report commands") {
  for (const std::string command : {"sweep --help", "merge --help", "plan --help", "compare --help", "report --help"}) {
    CAPTURE(command);
    const auto out = run_llmsim(command);
    CHECK(out.exit_code == 0);
    CHECK(out.output.find("Usage") != std::string::npos);
  }
}
