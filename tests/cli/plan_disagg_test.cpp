// `llmsim plan` over a disaggregated scenario (issue 24): xPyD units beside an aggregated
// baseline of the same GPUs, their GPU and cost arithmetic, the search's answer against direct
// `llmsim run`s of the same unit, and the refusals of bad --xpyd input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_llmsim.h"

namespace {

using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;
using Json = nlohmann::json;

// The plan's SLO and size, as kPlan writes them.
constexpr double kTtftLimitMs = 1000.0;
constexpr double kTpotLimitMs = 50.0;
constexpr int kRequests = 40;

/// disagg-llama-70b (TP4 prefill and TP4 decode replicas of Llama-3.1-70B on H100 SXM) at
/// 40 requests per run and a 10% bracket, so that each unit takes a handful of short runs.
const std::string kPlan =
    "plan configs/scenarios/disagg-llama-70b.yaml --slo ttft_p99_ms=1000,tpot_p99_ms=50 --requests 40 "
    "--rate-tolerance 0.1 --xpyd 1:1,1:2 --target-rate 20 --price h100-sxm=3";

const Json& option_named(const Json& plan, const std::string& unit) {
  for (const Json& option : plan.at("options")) {
    if (option.at("unit") == unit) return option;
  }
  FAIL("no option named " << unit);
  return plan;
}

/// What plan's pass rule says of a direct run's folder: "" when it passes, else why not.
/// The queue rule is re-derived here from requests.csv (arrival_ns, scheduled_ns): split the
/// admitted requests in arrival order into halves; the second half's mean queueing delay must
/// be at most 2 x the first's + 50 ms.
std::string pass_rule_failure(const std::string& dir) {
  const Json summary = Json::parse(read_whole_file(dir + "/summary.json"));
  if (!summary.at("stopped_early").is_null()) return "stopped early";
  if (summary.at("completed").get<int>() != kRequests) return "not every request completed";
  if (summary.at("p99_ttft_ms").get<double>() > kTtftLimitMs) return "p99 TTFT above the limit";
  if (summary.at("p99_tpot_ms").get<double>() > kTpotLimitMs) return "p99 TPOT above the limit";
  std::istringstream csv(read_whole_file(dir + "/requests.csv"));
  std::string line;
  std::getline(csv, line);
  REQUIRE(line.rfind("id,pool,replica,status,reject_reason,arrival_ns,scheduled_ns,", 0) == 0);
  std::vector<std::pair<double, double>> arrival_and_delay_ms;
  while (std::getline(csv, line)) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    std::string field;
    while (std::getline(row, field, ',')) fields.push_back(field);
    REQUIRE(fields.size() > 6);
    const double arrival = std::stod(fields[5]);
    const double scheduled = std::stod(fields[6]);
    REQUIRE(scheduled >= 0.0);
    arrival_and_delay_ms.emplace_back(arrival, (scheduled - arrival) / 1e6);
  }
  std::sort(arrival_and_delay_ms.begin(), arrival_and_delay_ms.end());
  const std::size_t half = arrival_and_delay_ms.size() / 2;
  double first = 0.0;
  double second = 0.0;
  for (std::size_t i = 0; i < arrival_and_delay_ms.size(); ++i) {
    (i < half ? first : second) += arrival_and_delay_ms[i].second;
  }
  first /= static_cast<double>(half);
  second /= static_cast<double>(arrival_and_delay_ms.size() - half);
  if (second > 2.0 * first + 50.0) return "queue growing";
  return "";
}

/// `llmsim run` of disagg-llama-70b as the unit of `prefill` and `decode` replicas.
/// `extra`: further --set overrides, such as the pools' tensor_parallel.
std::string run_unit(int prefill, int decode, double rate, const std::string& dir, const std::string& extra = "") {
  const auto out = run_llmsim("run configs/scenarios/disagg-llama-70b.yaml " + extra +
                              " --set 'pools[0].deployment.replicas=" +
                              std::to_string(prefill) + "' --set 'pools[1].deployment.replicas=" +
                              std::to_string(decode) + "' --set workload.num_requests=" + std::to_string(kRequests) +
                              " --set workload.arrival.rate_per_s=" + Json(rate).dump() +
                              " --set slo.ttft_ms=1000 --set slo.tpot_ms=50 --quiet --out " + dir);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  return dir;
}

}  // namespace

TEST_CASE("plan searches xPyD units beside an aggregated baseline of the same GPUs, priced per unit") {
  const std::string a = fresh_temp_dir("plan-disagg-a");
  const std::string b = fresh_temp_dir("plan-disagg-b");
  const auto out = run_llmsim(kPlan + " --jobs 1 --out " + a);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  CHECK(out.output.find("rank unit") == 0);
  REQUIRE(run_llmsim(kPlan + " --jobs 3 --quiet --report --out " + b).exit_code == 0);
  CHECK(read_whole_file(a + "/plan.json") == read_whole_file(b + "/plan.json"));
  CHECK(read_whole_file(a + "/plan.csv") == read_whole_file(b + "/plan.csv"));
  CHECK(read_whole_file(b + "/report.html").find("1P2D") != std::string::npos);

  const Json plan = Json::parse(read_whole_file(a + "/plan.json"));
  // Two units (8 and 12 GPUs) and one aggregated baseline per GPU count.
  REQUIRE(plan.at("options").size() == 4);
  const Json& one_one = option_named(plan, "1P1D");
  const Json& one_two = option_named(plan, "1P2D");
  CHECK(one_one.at("gpus_per_unit") == 8);   // 1 x TP4 prefill + 1 x TP4 decode
  CHECK(one_two.at("gpus_per_unit") == 12);  // 1 x TP4 + 2 x TP4
  CHECK(one_two.at("prefill_replicas") == 1);
  CHECK(one_two.at("decode_replicas") == 2);
  const Json& aggregated_8 = option_named(plan, "aggregated 2 x TP4");
  const Json& aggregated_12 = option_named(plan, "aggregated 3 x TP4");
  CHECK(aggregated_8.at("layout") == "aggregated");
  CHECK(aggregated_8.at("gpus_per_unit") == one_one.at("gpus_per_unit"));
  CHECK(aggregated_12.at("gpus_per_unit") == one_two.at("gpus_per_unit"));
  CHECK(aggregated_12.at("aggregated_replicas") == 3);

  double previous_cost = 0.0;
  for (const Json& option : plan.at("options")) {
    INFO(option.at("unit").get<std::string>());
    REQUIRE(option.at("max_rate_per_s").is_number());
    const double rate = option.at("max_rate_per_s").get<double>();
    const auto gpus = option.at("gpus_per_unit").get<std::int64_t>();
    CHECK(option.at("requests_per_s_per_gpu").get<double>() == doctest::Approx(rate / static_cast<double>(gpus)));
    // $3 per GPU-hour for every GPU of the unit, over the output tokens it makes in an hour.
    CHECK(option.at("usd_per_hour_per_unit").get<double>() == doctest::Approx(3.0 * static_cast<double>(gpus)));
    const double cost = option.at("usd_per_million_output_tokens").get<double>();
    CHECK(cost == doctest::Approx(3.0 * static_cast<double>(gpus) /
                                  (option.at("output_tokens_per_s").get<double>() * 3600.0) * 1e6));
    const auto units = option.at("units_for_target").get<std::int64_t>();
    CHECK(units == static_cast<std::int64_t>(std::ceil(20.0 / rate)));
    CHECK(option.at("gpus_for_target").get<std::int64_t>() == units * gpus);
    CHECK(option.at("usd_per_hour_for_target").get<double>() ==
          doctest::Approx(3.0 * static_cast<double>(units * gpus)));
    CHECK(option.at("joules_per_output_token").get<double>() > 0.0);
    // Ranked by fleet $/hour for the target rate.
    CHECK(option.at("usd_per_hour_for_target").get<double>() >= previous_cost);
    previous_cost = option.at("usd_per_hour_for_target").get<double>();
  }
}

TEST_CASE("a disaggregated unit passes at the rate plan found and fails just above it in direct runs") {
  const std::string dir = fresh_temp_dir("plan-disagg-direct");
  const auto out = run_llmsim(kPlan + " --quiet --out " + dir);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  const Json& unit = option_named(plan, "1P1D");
  REQUIRE(unit.at("status") == "ok");
  const double found = unit.at("max_rate_per_s").get<double>();
  double above = 1e18;  // the lowest failing rate the search ran
  for (const Json& e : unit.at("evaluations")) {
    if (!e.at("passed").get<bool>()) above = std::min(above, e.at("rate_per_s").get<double>());
  }
  REQUIRE(above > found);
  CHECK(above - found <= 0.1 * found + 1e-9);

  const std::string at = run_unit(1, 1, found, fresh_temp_dir("plan-disagg-at"));
  CHECK(pass_rule_failure(at) == "");
  // The unit plan searched is the scenario `run` loads with those replicas: same latencies.
  const Json summary = Json::parse(read_whole_file(at + "/summary.json"));
  CHECK(summary.at("p99_ttft_ms") == unit.at("latency_at_max").at("p99_ttft_ms"));
  CHECK(summary.at("p99_tpot_ms") == unit.at("latency_at_max").at("p99_tpot_ms"));
  CHECK(summary.at("disaggregation").at("transfers").get<int>() > 0);

  const std::string over = run_unit(1, 1, above, fresh_temp_dir("plan-disagg-above"));
  CHECK(pass_rule_failure(over) != "");
}

TEST_CASE("plan --prefill-tp/--decode-tp plans each unit at each pair, GPUs counted per pool") {
  const std::string args = "plan configs/scenarios/disagg-llama-70b.yaml --slo ttft_p99_ms=2000,tpot_p99_ms=50 "
                           "--requests 40 --rate-tolerance 0.1 --xpyd 1:1,2:1 --price h100-sxm=3 --quiet";
  const std::string dir = fresh_temp_dir("plan-disagg-tp");
  const auto out = run_llmsim(args + " --prefill-tp 2,4 --decode-tp 4 --out " + dir);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  // Four units (2 xPyD x 2 prefill TPs x 1 decode TP) and a baseline per GPU count: 6, 8, 12.
  REQUIRE(plan.at("options").size() == 7);
  struct Expected {
    const char* label;
    int prefill_tp;
    int gpus;  // x x prefill TP + y x decode TP (no PP or DP in this scenario)
  };
  for (const Expected& expected : {Expected{"1P1D TP2:TP4", 2, 6}, Expected{"1P1D TP4:TP4", 4, 8},
                                   Expected{"2P1D TP2:TP4", 2, 8}, Expected{"2P1D TP4:TP4", 4, 12}}) {
    INFO(expected.label);
    const Json& unit = option_named(plan, expected.label);
    CHECK(unit.at("layout") == "disaggregated");
    CHECK(unit.at("prefill_tensor_parallel") == expected.prefill_tp);
    CHECK(unit.at("tensor_parallel") == 4);
    CHECK(unit.at("gpus_per_unit") == expected.gpus);
  }
  // 6 GPUs are no whole number of TP4 decode replicas: the baseline is three TP2 prefill-pool replicas.
  CHECK(option_named(plan, "aggregated 3 x TP2").at("gpus_per_unit") == 6);
  CHECK(option_named(plan, "aggregated 3 x TP2").at("tensor_parallel") == 2);
  CHECK(option_named(plan, "aggregated 2 x TP4").at("prefill_tensor_parallel").is_null());
  CHECK(option_named(plan, "aggregated 3 x TP4").at("gpus_per_unit") == 12);

  // A unit at the pools' own TPs is the unit a plan without the lists searches.
  const std::string own = fresh_temp_dir("plan-disagg-tp-own");
  REQUIRE(run_llmsim(args + " --out " + own).exit_code == 0);
  const Json plain = Json::parse(read_whole_file(own + "/plan.json"));
  CHECK(option_named(plain, "2P1D").at("max_rate_per_s") == option_named(plan, "2P1D TP4:TP4").at("max_rate_per_s"));
  CHECK(option_named(plain, "2P1D").at("latency_at_max") == option_named(plan, "2P1D TP4:TP4").at("latency_at_max"));

  // The TP2 prefill unit plan searched is the scenario `run` loads with those settings.
  const Json& unit = option_named(plan, "2P1D TP2:TP4");
  REQUIRE(unit.at("status") == "ok");
  const std::string at = run_unit(2, 1, unit.at("max_rate_per_s").get<double>(), fresh_temp_dir("plan-disagg-tp-at"),
                                  "--set 'pools[0].deployment.tensor_parallel=2' --set slo.ttft_ms=2000");
  const Json summary = Json::parse(read_whole_file(at + "/summary.json"));
  CHECK(summary.at("p99_ttft_ms") == unit.at("latency_at_max").at("p99_ttft_ms"));
  CHECK(summary.at("p99_tpot_ms") == unit.at("latency_at_max").at("p99_tpot_ms"));
  // Halving the prefill replica's GPUs lowers the rate its unit sustains.
  CHECK(unit.at("max_rate_per_s").get<double>() < option_named(plan, "2P1D TP4:TP4").at("max_rate_per_s").get<double>());
}

TEST_CASE("plan --decode-hardware plans each unit on each preset, priced per pool, with a baseline per preset") {
  const std::string dir = fresh_temp_dir("plan-disagg-hw");
  const auto out = run_llmsim("plan configs/scenarios/disagg-llama-70b.yaml --slo ttft_p99_ms=2000,tpot_p99_ms=50 "
                              "--requests 40 --rate-tolerance 0.1 --xpyd 2:1 --decode-hardware h100-sxm,h200 "
                              "--price h100-sxm=2 --price h200=3 --out " + dir);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  CHECK(out.output.find("2P1D h100-sxm TP4 : h200 TP4") != std::string::npos);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  REQUIRE(plan.at("options").size() == 4);  // two units, a 12-GPU baseline on each decode preset
  const Json& mixed = option_named(plan, "2P1D h100-sxm TP4 : h200 TP4");
  CHECK(mixed.at("prefill_hardware") == "h100-sxm");
  CHECK(mixed.at("hardware") == "h200");
  CHECK(mixed.at("gpus_per_unit") == 12);
  // Each pool's GPUs at their own price: 2 x TP4 prefill at $2 + 1 x TP4 decode at $3.
  CHECK(mixed.at("usd_per_hour_per_unit").get<double>() == doctest::Approx(8 * 2.0 + 4 * 3.0));
  CHECK(option_named(plan, "2P1D h100-sxm TP4 : h100-sxm TP4").at("usd_per_hour_per_unit").get<double>() ==
        doctest::Approx(12 * 2.0));
  const Json& h200_group = option_named(plan, "aggregated 3 x h200 TP4");
  CHECK(h200_group.at("hardware") == "h200");
  CHECK(h200_group.at("usd_per_hour_per_unit").get<double>() == doctest::Approx(12 * 3.0));
  CHECK(option_named(plan, "aggregated 3 x h100-sxm TP4").at("hardware") == "h100-sxm");

  // The mixed unit is the scenario `run` loads with its decode pool on H200.
  REQUIRE(mixed.at("status") == "ok");
  const std::string at = run_unit(2, 1, mixed.at("max_rate_per_s").get<double>(), fresh_temp_dir("plan-disagg-hw-at"),
                                  "--set 'pools[1].hardware=h200' --set slo.ttft_ms=2000");
  const Json summary = Json::parse(read_whole_file(at + "/summary.json"));
  CHECK(summary.at("p99_ttft_ms") == mixed.at("latency_at_max").at("p99_ttft_ms"));
  CHECK(summary.at("p99_tpot_ms") == mixed.at("latency_at_max").at("p99_tpot_ms"));
}

TEST_CASE("a TP the model refuses makes that unit cannot_deploy, with the loader's reason; the rest is planned") {
  const std::string dir = fresh_temp_dir("plan-disagg-tp3");
  const auto out = run_llmsim("plan configs/scenarios/disagg-llama-70b.yaml --slo ttft_p99_ms=2000,tpot_p99_ms=50 "
                              "--requests 20 --rate-tolerance 0.2 --xpyd 1:1 --prefill-tp 3,4 --quiet --out " + dir);
  REQUIRE_MESSAGE(out.exit_code == 0, out.output);
  const Json plan = Json::parse(read_whole_file(dir + "/plan.json"));
  const Json& three = option_named(plan, "1P1D TP3:TP4");
  CHECK(three.at("status") == "cannot_deploy");
  CHECK(three.at("note").get<std::string>().find("must divide the model's 64 attention heads") != std::string::npos);
  CHECK(option_named(plan, "1P1D TP4:TP4").at("status") == "ok");
  // 7 GPUs: no whole number of 4-GPU decode or 3- or 4-GPU prefill replicas.
  CHECK(option_named(plan, "aggregated 7 GPUs").at("note") ==
        "7 GPUs are a whole number of replicas of neither pool (4 GPUs per decode replica, 3 or 4 per prefill replica)");
}

TEST_CASE("plan refuses --xpyd it cannot use, before anything runs") {
  const std::string dir = fresh_temp_dir("plan-disagg-bad");
  const auto expect_refusal = [&](const std::string& args, const std::string& message) {
    const auto out = run_llmsim(args + " --slo ttft_p99_ms=1000 --requests 20 --out " + dir);
    INFO(args);
    CHECK(out.exit_code == 2);
    CHECK(out.output.find(message) != std::string::npos);
    CHECK(!std::filesystem::exists(dir));
  };
  expect_refusal("plan configs/scenarios/overload.yaml --xpyd 1:1", "--xpyd: configs/scenarios/overload.yaml has no "
                                                                    "prefill and decode pools to split");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --xpyd 1:0", "--xpyd: expected PREFILL:DECODE");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --xpyd 0:1", "--xpyd: expected PREFILL:DECODE");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --xpyd 2", "got \"2\"");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --xpyd 1:2:3", "got \"1:2:3\"");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --xpyd 1:2,1:2", "--xpyd: 1:2 is listed twice");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --tp 8", "--tp: a disaggregated scenario is planned");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --decode-tp 4,8,4", "--decode-tp: 4 is listed twice");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --prefill-tp 0", "--prefill-tp: expected positive "
                                                                                "integers, got 0");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --decode-hardware nosuch",
                 "--decode-hardware: unknown hardware \"nosuch\"");
  expect_refusal("plan configs/scenarios/disagg-llama-70b.yaml --prefill-hardware h200,h200",
                 "--prefill-hardware: h200 is listed twice");
  expect_refusal("plan configs/scenarios/overload.yaml --decode-hardware h200", "--decode-hardware: "
                                                                              "configs/scenarios/overload.yaml has no "
                                                                              "prefill and decode pools");
  expect_refusal("plan configs/scenarios/overload.yaml --prefill-tp 2", "--prefill-tp: configs/scenarios/overload.yaml "
                                                                       "has no prefill and decode pools");
}
