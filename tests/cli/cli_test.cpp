// End-to-end tests of the llmsim binary: exit codes, messages and JSON output.
#include <doctest/doctest.h>

#include "tests/cli/run_llmsim.h"

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>


namespace {

using Outcome = llmsim::testing::LlmsimOutcome;
using llmsim::testing::run_llmsim;
using llmsim::testing::run_shell;

}  // namespace

TEST_CASE("flops --json reports the simple method's 2NT by phase") {
  const Outcome out =
      run_llmsim("flops --model qwen3-8b --input-tokens 700 --output-tokens 300 --method simple --json");
  REQUIRE(out.exit_code == 0);
  const auto json = nlohmann::json::parse(out.output);
  // Qwen3-8B at nominal 8e9: 2 x 8e9 x 700 prefill, 2 x 8e9 x 300 decode = 16 TFLOPs per 1k tokens.
  CHECK(json["flops_prefill"].get<double>() == doctest::Approx(2.0 * 8e9 * 700));
  CHECK(json["flops_decode"].get<double>() == doctest::Approx(2.0 * 8e9 * 300));
  CHECK(json["tflops_total"].get<double>() == doctest::Approx(16.0));
  CHECK(json["flops_per_token"].get<double>() == doctest::Approx(16e9));
  CHECK(json["flops_per_output_token"].get<double>() == doctest::Approx(16e9));
}

TEST_CASE("flops with a duration and a device name reports MFU") {
  const Outcome out = run_llmsim(
      "flops --model qwen3-8b --input-tokens 700 --output-tokens 300 --method simple --json "
      "--duration-s 1 --gpu 'NVIDIA H100 80GB HBM3' --num-gpus 2");
  REQUIRE(out.exit_code == 0);
  const auto json = nlohmann::json::parse(out.output);
  CHECK(json["gpu"] == "h100-sxm");
  const double peak = json["peak_flops_per_s_per_gpu"].get<double>();
  CHECK(json["mfu"].get<double>() == doctest::Approx(16e12 / 1.0 / (peak * 2)));
}

TEST_CASE("memory --json reports the fit of a 70B model on four H100s") {
  const Outcome out =
      run_llmsim("memory --model llama-3.1-70b --hardware h100-sxm --tp 4 --batch 8 --seq-len 4096 --json");
  REQUIRE(out.exit_code == 0);
  const auto json = nlohmann::json::parse(out.output);
  CHECK(json["fits"].get<bool>());
  CHECK(json["max_batch_at_seq_len"].get<std::int64_t>() >= 8);
  CHECK(json["per_gpu_gib"]["weights"].get<double>() > 30.0);
}

TEST_CASE("a model too big for one GPU does not fit") {
  const Outcome out = run_llmsim("memory --model llama-3.1-70b --hardware h100-sxm --json");
  REQUIRE(out.exit_code == 0);
  const auto json = nlohmann::json::parse(out.output);
  CHECK_FALSE(json["fits"].get<bool>());
  CHECK(json["max_batch_at_seq_len"].get<std::int64_t>() == 0);
}

TEST_CASE("memory reports a pipeline, expert or data-parallel layout per GPU, or refuses it at its option") {
  const Outcome tp8 = run_llmsim("memory --model llama-3.1-405b --hardware h100-sxm --tp 8 --json");
  const Outcome pp2 = run_llmsim("memory --model llama-3.1-405b --hardware h100-sxm --tp 8 --pp 2 --json");
  REQUIRE(tp8.exit_code == 0);
  REQUIRE(pp2.exit_code == 0);
  const auto one = nlohmann::json::parse(tp8.output);
  const auto two = nlohmann::json::parse(pp2.output);
  CHECK(two["gpus"] == 16);
  CHECK(two["pipeline_parallel"] == 2);
  // 126 layers over 2 stages: the busiest GPU holds 63 of them, about half the weights.
  const double ratio = two["per_gpu_gib"]["weights"].get<double>() / one["per_gpu_gib"]["weights"].get<double>();
  CHECK(ratio > 0.45);
  CHECK(ratio < 0.55);
  CHECK(one["calculator_latency"].is_object());
  CHECK(two["calculator_latency"].is_null());  // the calculator knows tensor parallelism alone
  const Outcome text = run_llmsim("memory --model deepseek-v3 --hardware h200 --dp 8 --ep 8");
  REQUIRE(text.exit_code == 0);
  CHECK(text.output.find("deepseek-v3 on 8 x h200 (tp 1, pp 1, dp 8, ep 8)") == 0);
  // An EP size `run` refuses (not DP x TP), and DP without EP, exit 2 at their options.
  const Outcome bad_ep = run_llmsim("memory --model deepseek-v3 --hardware h200 --dp 8 --ep 4");
  CHECK(bad_ep.exit_code == 2);
  CHECK(bad_ep.output.find("llmsim: --ep: ") == 0);
  const Outcome bad_dp = run_llmsim("memory --model llama-3.1-8b --hardware h100-sxm --dp 2");
  CHECK(bad_dp.exit_code == 2);
  CHECK(bad_dp.output.find("llmsim: --dp: ") == 0);
  CHECK(run_llmsim("memory --model llama-3.1-8b --hardware h100-sxm --pp 0").exit_code == 2);
}

TEST_CASE("an unknown model exits 2 with one message") {
  const Outcome out = run_llmsim("flops --model no-such-model --input-tokens 1 --output-tokens 1");
  CHECK(out.exit_code == 2);
  CHECK(out.output.find("llmsim: unknown model \"no-such-model\"") == 0);
}

TEST_CASE("a broken model file exits 2 naming file and line") {
  const Outcome out = run_llmsim("flops --model tests/data/bad/model_wrong_type.yaml --input-tokens 1 --output-tokens 1");
  CHECK(out.exit_code == 2);
  CHECK(out.output == "llmsim: tests/data/bad/model_wrong_type.yaml:5: num_layers: expected an integer, got \"many\"\n");
}

TEST_CASE("a bad option value and an unknown option exit 2") {
  CHECK(run_llmsim("flops --model llama-3.1-8b --input-tokens 1 --output-tokens 1 --method fast").exit_code == 2);
  CHECK(run_llmsim("flops --model llama-3.1-8b --input-tokens -5 --output-tokens 1").exit_code == 2);
  CHECK(run_llmsim("flops --no-such-option").exit_code == 2);
  CHECK(run_llmsim("memory --model llama-3.1-8b --hardware h100-sxm --weights-dtype fp7").exit_code == 2);
}

TEST_CASE("help exits 0 on every command") {
  for (const std::string command : {"--help", "flops --help", "memory --help", "run --help"}) {
    CAPTURE(command);
    const Outcome out = run_llmsim(command);
    CHECK(out.exit_code == 0);
    CHECK(out.output.find("Usage") != std::string::npos);
  }
}

namespace {

std::string read_file(const std::string& path) { return llmsim::testing::read_whole_file(path); }
std::string temp_out(const std::string& name) { return llmsim::testing::fresh_temp_dir("cli-" + name); }

}  // namespace

TEST_CASE("run writes byte-identical results for the same scenario and seed") {
  const std::string a = temp_out("det-a");
  const std::string b = temp_out("det-b");
  REQUIRE(run_llmsim("run configs/scenarios/quickstart.yaml --quiet --set workload.trace.max_rows=300 --out " + a)
              .exit_code == 0);
  REQUIRE(run_llmsim("run configs/scenarios/quickstart.yaml --quiet --set workload.trace.max_rows=300 --out " + b)
              .exit_code == 0);
  const std::string summary = read_file(a + "/summary.json");
  CHECK(summary.size() > 1000);
  CHECK(summary == read_file(b + "/summary.json"));
  CHECK(read_file(a + "/requests.csv") == read_file(b + "/requests.csv"));
  const auto json = nlohmann::json::parse(summary);
  CHECK(json["completed"].get<int>() == 300);
}

TEST_CASE("run --quiet prints nothing and a different seed changes the results") {
  const std::string a = temp_out("seed-a");
  const std::string b = temp_out("seed-b");
  const Outcome quiet = run_llmsim("run configs/scenarios/overload.yaml --quiet --set workload.num_requests=200 --out " + a);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.output.empty());
  REQUIRE(run_llmsim("run configs/scenarios/overload.yaml --quiet --set workload.num_requests=200 --set seed=2 --out " + b)
              .exit_code == 0);
  CHECK(read_file(a + "/requests.csv") != read_file(b + "/requests.csv"));
}

TEST_CASE("run prints the summary table") {
  const Outcome out = run_llmsim("run configs/scenarios/offline-throughput.yaml --set workload.num_requests=50 --out " +
                                 temp_out("table"));
  CHECK(out.exit_code == 0);
  CHECK(out.output.find("Successful requests:") != std::string::npos);
  CHECK(out.output.find("Median TTFT (ms):") != std::string::npos);
}

TEST_CASE("a bad --set value exits 2 naming the key") {
  const Outcome out = run_llmsim("run configs/scenarios/quickstart.yaml --set engine.max_num_seqs=-3 --out " +
                                 temp_out("bad-set"));
  CHECK(out.exit_code == 2);
  CHECK(out.output == "llmsim: configs/scenarios/quickstart.yaml (--set engine.max_num_seqs): engine.max_num_seqs: "
                      "expected a positive integer, got \"-3\"\n");
}

TEST_CASE("a model that does not fit exits 2 naming the deployment") {
  const Outcome out = run_llmsim("run configs/scenarios/tp4-70b.yaml --set deployment.tensor_parallel=1 --out " +
                                 temp_out("nofit"));
  CHECK(out.exit_code == 2);
  CHECK(out.output.find("llmsim: configs/scenarios/tp4-70b.yaml:5: deployment: model llama-3.1-70b does not fit on 1 x "
                        "h100-sxm") == 0);
}

TEST_CASE("a missing scenario file exits 2") {
  const Outcome out = run_llmsim("run no/such/scenario.yaml");
  CHECK(out.exit_code == 2);
  CHECK(out.output == "llmsim: no/such/scenario.yaml: cannot open file\n");
}

TEST_CASE("a long run shows progress on a terminal and never in a pipe") {
  const std::string args = "run configs/scenarios/bench-100k.yaml --set workload.num_requests=60000 --out " +
                           temp_out("progress");
  // Under `script` stderr is a pseudo-terminal; through popen it is a pipe. Where `script`
  // is missing or cannot open a pseudo-terminal (a container without /dev/pts), the terminal
  // half cannot run: it is skipped with the reason, not failed.
  const Outcome probe = run_shell("script -qec true /dev/null");
  if (probe.exit_code != 0) {
    MESSAGE("skipped the terminal half: `script -qec true /dev/null` exited " << probe.exit_code
            << " (no `script` or no pseudo-terminal here): " << probe.output);
  } else {
    const Outcome on_terminal = run_shell("script -qec \"'" + std::string(LLMSIM_BINARY) + "' " + args +
                                          " >/dev/null\" /dev/null");
    CHECK(on_terminal.exit_code == 0);
    CHECK(on_terminal.output.find("simulating... ") != std::string::npos);
  }
  const Outcome in_pipe = run_llmsim(args);
  CHECK(in_pipe.exit_code == 0);
  CHECK(in_pipe.output.find("simulating") == std::string::npos);
  CHECK(in_pipe.output.find("Successful requests:") != std::string::npos);
}
