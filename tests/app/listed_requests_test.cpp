// app/listed_requests: ShareGPT-like lengths for the GPUStack rows of `llmsim validate`,
// and replaying a list of requests open or closed loop.
#include "app/listed_requests.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "loader/engine_loader.h"
#include "loader/hardware_loader.h"
#include "loader/model_loader.h"

namespace {

using llmsim::workloads::RequestSpec;

const std::string kTrace =
    std::string(LLMSIM_SOURCE_DIR) + "/data/reference/2026/llmservingsim2-fig5_sharegpt-req300-rate10_trace.csv";

double mean_of(const std::vector<RequestSpec>& requests, bool input) {
  double sum = 0.0;
  for (const RequestSpec& r : requests) sum += static_cast<double>(input ? r.input_tokens : r.output_tokens);
  return sum / static_cast<double>(requests.size());
}

llmsim::sim::Scenario one_h100() {
  llmsim::sim::PoolSpec pool;
  pool.model = llmsim::loader::load_model("llama-3.1-8b");
  pool.hardware = llmsim::loader::load_hardware("h100-sxm");
  pool.engine = llmsim::loader::load_engine("vllm-v1").defaults_for(pool.hardware, pool.model);
  llmsim::sim::Scenario scenario;
  scenario.seed = 1;
  scenario.pools.push_back(pool);
  return scenario;
}

}  // namespace

TEST_CASE("the ShareGPT sample is the trace's 300 Llama rows, in arrival order") {
  const std::vector<RequestSpec> sample = llmsim::app::llama_sharegpt_trace(kTrace);
  REQUIRE(sample.size() == 300);
  CHECK(std::is_sorted(sample.begin(), sample.end(),
                       [](const RequestSpec& a, const RequestSpec& b) { return a.arrival_ns < b.arrival_ns; }));
  // The sample's own means (input 224.4, output 277.8 tokens), far from the GPUStack rows' ~215 / ~196.
  CHECK(mean_of(sample, true) == doctest::Approx(224.42).epsilon(0.001));
  CHECK(mean_of(sample, false) == doctest::Approx(277.78).epsilon(0.001));
}

TEST_CASE("sharegpt_like scales the sample to a run's means and keeps its shape") {
  const std::vector<RequestSpec> sample = llmsim::app::llama_sharegpt_trace(kTrace);
  const std::vector<RequestSpec> burst = llmsim::app::sharegpt_like(sample, 1000, 215.312, 196.205);
  REQUIRE(burst.size() == 1000);
  // 1000 = 3 x 300 + 100: the first 100 rows come four times; the scale is over the rows as
  // drawn, so only rounding (< 0.5 token a request) separates the means from the run's.
  CHECK(std::abs(mean_of(burst, true) - 215.312) < 0.5);
  CHECK(std::abs(mean_of(burst, false) - 196.205) < 0.5);
  double drawn_output = 0.0;
  for (std::size_t k = 0; k < burst.size(); ++k) drawn_output += static_cast<double>(sample[k % sample.size()].output_tokens);
  const double output_scale = 196.205 / (drawn_output / 1000.0);
  for (std::size_t k = 0; k < burst.size(); ++k) {
    const RequestSpec& row = sample[k % sample.size()];
    CHECK(burst[k].arrival_ns == 0);
    CHECK(burst[k].output_tokens == std::max<std::int64_t>(1, std::llround(static_cast<double>(row.output_tokens) * output_scale)));
  }
  // The long tail survives: the longest output is the sample's longest, scaled.
  const auto longest = [](const std::vector<RequestSpec>& v) {
    return std::max_element(v.begin(), v.end(), [](const RequestSpec& a, const RequestSpec& b) {
             return a.output_tokens < b.output_tokens;
           })->output_tokens;
  };
  CHECK(longest(burst) == std::llround(static_cast<double>(longest(sample)) * output_scale));
}

TEST_CASE("run_listed replays a list open loop at its arrival times or closed loop with N clients") {
  const std::vector<RequestSpec> sample = llmsim::app::llama_sharegpt_trace(kTrace);
  const std::vector<RequestSpec> requests = llmsim::app::sharegpt_like(sample, 40, 200.0, 100.0);
  const nlohmann::json burst = llmsim::app::run_listed(one_h100(), requests, 0);
  const nlohmann::json four = llmsim::app::run_listed(one_h100(), requests, 4);
  CHECK(burst.at("completed").get<std::int64_t>() == 40);
  CHECK(four.at("completed").get<std::int64_t>() == 40);
  CHECK(burst.at("total_output_tokens").get<std::int64_t>() == four.at("total_output_tokens").get<std::int64_t>());
  // Four clients never have more than four requests in the engine; the burst has all 40.
  CHECK(four.at("batching").at("p99_batch_size").get<double>() <= 4.0);
  CHECK(burst.at("batching").at("p99_batch_size").get<double>() > 4.0);
  // A closed loop of 4 takes longer to drain the same work but gives each request shorter steps.
  CHECK(four.at("duration").get<double>() > burst.at("duration").get<double>());
  CHECK(four.at("mean_tpot_ms").get<double>() < burst.at("mean_tpot_ms").get<double>());
}
