// `llmsim validate` end to end: the static-batch tables and the serving sets, each row
// replayed, with an error per published metric and a median per set.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "tests/cli/run_llmsim.h"

using llmsim::testing::LlmsimOutcome;
using llmsim::testing::run_llmsim;

TEST_CASE("validate replays the serving sets through the simulator and labels calibration vs validation") {
  const LlmsimOutcome outcome = run_llmsim("validate");
  REQUIRE(outcome.exit_code == 0);
  const std::string& out = outcome.output;
  CHECK(out.find("single-request ITL fits, Llama-3.1-8B, H100 (CALIBRATION") != std::string::npos);
  CHECK(out.find("concurrency 8, 20k/2k, Llama-3.1-8B, H100 (validation only)") != std::string::npos);
  CHECK(out.find("Llama-3.1-8B, H100, BF16 median TTFT (sets the Hopper prefill attention efficiency) (CALIBRATION") !=
        std::string::npos);
  CHECK(out.find("gpt-oss-20b, H100 (ITL fits and concurrency 8, 20k/2k) (validation only)") != std::string::npos);
  CHECK(out.find("not replayed: line 18: FP8 KV with the sliding-window layers in BF16") != std::string::npos);
  // Both KV variants of both tables for Llama-3.1-8B and for gpt-oss-20b on H100, each metric
  // with a measured and a predicted value: the fits give slope and intercept, the load test
  // four metrics.
  const std::regex metric_line(R"(line \d+ (BF16|FP8) .* measured +[0-9.e+-]+ +predicted +[0-9.e+-]+ +[+-][0-9.]+%)");
  int metrics = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), metric_line); it != std::sregex_iterator(); ++it) {
    ++metrics;
  }
  CHECK(metrics == 2 * (2 * 2 + 2 * 4));
  // The GPUStack ShareGPT rows: the bursts and the closed loops of 4 clients, three metrics
  // each; rows whose command names another model than the page are listed, not dropped.
  const std::regex closed_loop(R"(line \d+ vllm-v1\S* (TP2 )?gpt-oss-120b ShareGPT batch size 4 (out tok/s|mean TTFT ms|mean TPOT ms) +measured)");
  int closed = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), closed_loop); it != std::sregex_iterator(); ++it) ++closed;
  CHECK(closed == 4 * 3);  // two rows on 2xA100, two on 2xH100
  CHECK(out.find("gpustack-perflab_qwen3-235b-a22b_h100x8.csv: ShareGPT") != std::string::npos);
  CHECK(out.find("not replayed: line 42: the serve command names another model than the page's qwen3-32b") !=
        std::string::npos);
  CHECK(out.find("TP4+EP / TP4 output throughput") != std::string::npos);
  CHECK(out.find("PP2 / TP2 output throughput") != std::string::npos);
}

TEST_CASE("validate --static-only leaves the serving sets out") {
  const LlmsimOutcome outcome = run_llmsim("validate --static-only");
  REQUIRE(outcome.exit_code == 0);
  CHECK(outcome.output.find("Serving sets") == std::string::npos);
  CHECK(outcome.output.find("all rows") != std::string::npos);
}
