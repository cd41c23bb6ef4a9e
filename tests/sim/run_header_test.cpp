// The header `llmsim run` prints above its summary: what was simulated (issue 26).
#include "sim/metrics/run_header.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

using namespace llmsim;
using namespace llmsim::sim;

namespace {

PoolSpec pool(const std::string& name, const std::string& model, const std::string& hardware) {
  PoolSpec spec;
  spec.name = name;
  spec.model.id = model;
  spec.hardware.id = hardware;
  spec.hardware.efficiency_source = "calibrated (test)";  // nothing to label
  return spec;
}

}  // namespace

TEST_CASE("the engine label names the engine preset, its planner, admission, host time and settings") {
  EngineConfig engine;
  engine.host.iteration_s = 2e-3;
  engine.host.overlapped = true;
  CHECK(engine_label(engine) ==
        "vllm-v1, chunked prefill, KV admission step_blocks, host 2000 us/iteration overlapped, fcfs, "
        "max_num_seqs 256, max_num_batched_tokens 8192, block_size 16, prefix caching on, "
        "gpu_memory_utilization 0.9");
  engine.id = "vllm-v0";
  engine.kind = EngineKind::vllm_v0;
  engine.chunked_prefill = false;
  engine.admission = KvAdmission::watermark;
  engine.watermark = 0.01;
  engine.host.per_seq_s = 5e-6;
  engine.host.overlapped = false;
  engine.prefix_caching = false;
  engine.policy = SchedulingPolicy::shortest_prompt_first;
  engine.max_num_seqs = 64;
  engine.gpu_memory_utilization = 0.45;
  CHECK(engine_label(engine) ==
        "vllm-v0, whole prompts, KV admission watermark 0.01, host 2000 us/iteration + 5 us/seq not overlapped, "
        "shortest_prompt_first, max_num_seqs 64, max_num_batched_tokens 8192, block_size 16, prefix caching off, "
        "gpu_memory_utilization 0.45");
  engine.id = "trtllm";
  engine.kind = EngineKind::trtllm;
  engine.admission = KvAdmission::full_reservation;
  CHECK(engine_label(engine).rfind("trtllm, in-flight batching (whole prompts), KV admission full_reservation, ", 0) == 0);
}

TEST_CASE("a header line longer than 78 columns wraps after a comma, in the value's column") {
  Scenario scenario;
  scenario.pools = {pool("default", "m", "h")};
  const std::string header = format_run_header(scenario, "s.yaml", {});
  std::size_t from = 0;
  while (from < header.size()) {
    const std::size_t end = header.find('\n', from);
    CHECK(end - from <= 78);
    from = end + 1;
  }
}

TEST_CASE("a one-pool header names the scenario, its overrides, model, deployment, engine, workload and seed") {
  Scenario scenario;
  scenario.seed = 7;
  PoolSpec only = pool("default", "llama-3.1-70b", "h100-sxm");
  only.tensor_parallel = 4;
  only.replicas = 2;
  only.router = RouterKind::least_loaded;
  only.precision.weights = core::DType::fp8;
  only.precision.kv_cache = core::DType::fp8;
  scenario.pools = {only};
  scenario.workload.num_requests = 500;
  scenario.workload.arrival.process = workloads::ArrivalProcess::gamma;
  scenario.workload.arrival.rate_per_s = 12.5;
  scenario.workload.arrival.cv = 2;
  const std::string header =
      format_run_header(scenario, "configs/scenarios/x.yaml", {"workload.num_requests=500", "seed=7"});
  CHECK(header ==
        "=============== What was simulated ================\n"
        "Scenario:  configs/scenarios/x.yaml\n"
        "  --set    workload.num_requests=500\n"
        "  --set    seed=7\n"
        "Model:     llama-3.1-70b (weights fp8, KV cache fp8)\n"
        "Hardware:  h100-sxm x TP 4 x 2 replicas, router least_loaded\n"
        "Engine:    vllm-v1, chunked prefill, KV admission step_blocks,\n"
        "           host 0 us/iteration not overlapped, fcfs, max_num_seqs 256,\n"
        "           max_num_batched_tokens 8192, block_size 16, prefix caching on,\n"
        "           gpu_memory_utilization 0.9\n"
        "Workload:  500 requests, gamma arrivals at 12.5 req/s (cv 2)\n"
        "Seed:      7\n");
}

TEST_CASE("a header lists every pool by name, with the pool whose GPUs a co-located one shares") {
  Scenario scenario;
  PoolSpec generator = pool("generator", "qwen2.5-math-7b-instruct", "h100-sxm");
  PoolSpec prm = pool("prm", "qwen2.5-math-prm-7b", "h100-sxm");
  prm.colocated_with = "generator";
  prm.engine.gpu_memory_utilization = 0.4;
  scenario.pools = {generator, prm};
  scenario.workload.kind = workloads::WorkloadKind::beam_search;
  scenario.workload.num_requests = 1;
  scenario.workload.arrival.rate_per_s = 0.03;
  const std::string header = format_run_header(scenario, "beam.yaml", {});
  CHECK(header.find("Pool generator:\n"
                    "  Model:     qwen2.5-math-7b-instruct (weights bf16, KV cache bf16)\n"
                    "  Hardware:  h100-sxm x TP 1 x 1 replica\n") != std::string::npos);
  CHECK(header.find("Pool prm:\n"
                    "  Model:     qwen2.5-math-prm-7b (weights bf16, KV cache bf16)\n"
                    "  Hardware:  h100-sxm x TP 1 x 1 replica, on the GPUs of pool generator\n"
                    "  Engine:    vllm-v1, chunked prefill, KV admission step_blocks,\n"
                    "             host 0 us/iteration not overlapped, fcfs, max_num_seqs 256,\n"
                    "             max_num_batched_tokens 8192, block_size 16, prefix caching on,\n"
                    "             gpu_memory_utilization 0.4\n") != std::string::npos);
  CHECK(header.find("Workload:  beam_search, 1 problem, poisson arrivals at 0.03 problems/s\n") != std::string::npos);
}

TEST_CASE("a trace workload is named by its file, format and the rows the loader read") {
  Scenario scenario;
  scenario.pools = {pool("default", "m", "h")};
  scenario.workload.kind = workloads::WorkloadKind::trace;
  workloads::TraceSpec trace;
  trace.path = "/data/traces/azure_conv.csv";
  trace.rate_scale = 2;
  trace.rows = std::make_shared<const std::vector<workloads::TraceRow>>(3);
  scenario.workload.trace = trace;
  CHECK(format_run_header(scenario, "t.yaml", {}).find(
            "Workload:  trace azure_conv.csv (azure_csv): 3 requests at the recorded times / 2\n") !=
        std::string::npos);
  scenario.workload.arrival.process = workloads::ArrivalProcess::closed_loop;
  scenario.workload.kind = workloads::WorkloadKind::synthetic;
  scenario.workload.num_requests = 1000;
  scenario.workload.arrival.clients = 16;
  scenario.workload.arrival.think_time_s = 0.5;
  CHECK(format_run_header(scenario, "t.yaml", {}).find(
            "Workload:  1000 requests, closed loop: 16 clients, think time 0.5 s\n") != std::string::npos);
}

TEST_CASE("a hardware preset's efficiency provenance labels what the run can claim") {
  CHECK(efficiency_label("calibrated by llmsim calibrate from 9047 measurements (a.csv)").empty());
  CHECK(efficiency_label("carried over from the h100-sxm calibration (INFERRED)") ==
        "efficiencies carried over from another GPU's calibration (INFERRED)");
  CHECK(efficiency_label("documented defaults (not calibrated): configs/README.md#efficiency-defaults") ==
        "datasheet defaults, not calibrated: an upper bound, not a prediction");
  CHECK(efficiency_label("my own guesses") == "efficiencies as given, provenance not stated");
  // The Hardware line says it after the layout.
  Scenario scenario;
  scenario.pools = {pool("default", "m", "h")};
  scenario.pools[0].hardware.efficiency_source = "documented defaults (not calibrated)";
  CHECK(format_run_header(scenario, "t.yaml", {}).find("an upper bound, not a prediction") != std::string::npos);
}
