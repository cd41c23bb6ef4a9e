#include "workloads/request_generator.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/input_error.h"
#include "tests/workloads/temp_file.h"

namespace llmsim::workloads {
namespace {

WorkloadSpec synthetic(std::int64_t n, ArrivalProcess process = ArrivalProcess::poisson) {
  WorkloadSpec spec;
  spec.kind = WorkloadKind::synthetic;
  spec.num_requests = n;
  spec.arrival.process = process;
  spec.arrival.rate_per_s = 10;
  spec.input_tokens = LengthDistribution{LognormalLength{1000, 0.7}};
  spec.output_tokens = LengthDistribution{UniformLength{1, 500}};
  return spec;
}

std::vector<RequestSpec> drain(RequestGenerator& generator) {
  std::vector<RequestSpec> out;
  while (auto request = generator.next()) out.push_back(*request);
  return out;
}

std::string error_of(const WorkloadSpec& spec) {
  try {
    RequestGenerator generator(spec, 1);
  } catch (const core::InputError& error) {
    return error.what();
  }
  FAIL("no InputError was thrown");
  return "";
}

}  // namespace

TEST_CASE("an open-loop synthetic workload yields num_requests requests in id and arrival order") {
  RequestGenerator generator(synthetic(500), 1);
  CHECK_FALSE(generator.closed_loop());
  CHECK(generator.total_requests() == 500);
  const std::vector<RequestSpec> requests = drain(generator);
  REQUIRE(requests.size() == 500);
  CHECK(requests.front().arrival_ns == 0);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    CHECK(requests[i].id == i);
    CHECK(requests[i].input_tokens >= 1);
    CHECK(requests[i].output_tokens >= 1);
    CHECK(requests[i].output_tokens <= 500);
    CHECK(requests[i].prefix_hashes.empty());
    if (i > 0) CHECK(requests[i].arrival_ns >= requests[i - 1].arrival_ns);
  }
  CHECK_FALSE(generator.next().has_value());
}

TEST_CASE("fixed lengths and constant arrivals give exactly the specified requests") {
  WorkloadSpec spec = synthetic(3, ArrivalProcess::constant);
  spec.arrival.rate_per_s = 4;
  spec.input_tokens = LengthDistribution{FixedLength{128}};
  spec.output_tokens = LengthDistribution{FixedLength{16}};
  RequestGenerator generator(spec, 1);
  const std::vector<RequestSpec> requests = drain(generator);
  REQUIRE(requests.size() == 3);
  CHECK(requests[2].arrival_ns == 500'000'000);  // 2 / 4 s
  CHECK(requests[2].input_tokens == 128);
  CHECK(requests[2].output_tokens == 16);
}

TEST_CASE("the same seed gives the same requests and another seed different ones") {
  RequestGenerator a(synthetic(50), 7);
  RequestGenerator b(synthetic(50), 7);
  RequestGenerator c(synthetic(50), 8);
  const auto ra = drain(a);
  const auto rb = drain(b);
  const auto rc = drain(c);
  int same_as_c = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    CHECK(ra[i].arrival_ns == rb[i].arrival_ns);
    CHECK(ra[i].input_tokens == rb[i].input_tokens);
    CHECK(ra[i].output_tokens == rb[i].output_tokens);
    same_as_c += ra[i].input_tokens == rc[i].input_tokens ? 1 : 0;
  }
  CHECK(same_as_c < 10);
}

TEST_CASE("changing the output distribution leaves arrivals and input lengths unchanged") {
  WorkloadSpec other = synthetic(50);
  other.output_tokens = LengthDistribution{NormalLength{300, 50}};
  RequestGenerator a(synthetic(50), 3);
  RequestGenerator b(other, 3);
  const auto ra = drain(a);
  const auto rb = drain(b);
  for (std::size_t i = 0; i < ra.size(); ++i) {
    CHECK(ra[i].arrival_ns == rb[i].arrival_ns);
    CHECK(ra[i].input_tokens == rb[i].input_tokens);
  }
}

TEST_CASE("a closed-loop workload issues requests at the times the simulator gives") {
  WorkloadSpec spec = synthetic(2, ArrivalProcess::closed_loop);
  spec.arrival.clients = 8;
  spec.arrival.think_time_s = 0.5;
  RequestGenerator generator(spec, 1);
  CHECK(generator.closed_loop());
  CHECK(generator.clients() == 8);
  CHECK(generator.think_time_s() == 0.5);
  CHECK(generator.total_requests() == 2);
  const auto first = generator.next_at(0);
  const auto second = generator.next_at(1'500'000'000);
  REQUIRE(first.has_value());
  REQUIRE(second.has_value());
  CHECK(first->id == 0);
  CHECK(second->id == 1);
  CHECK(second->arrival_ns == 1'500'000'000);
  CHECK_FALSE(generator.next_at(2'000'000'000).has_value());
}

TEST_CASE("a shared prefix gives every request one fixed hash and at least that many input tokens") {
  WorkloadSpec spec = synthetic(200);
  spec.input_tokens = LengthDistribution{UniformLength{10, 2000}};
  spec.shared_prefix_tokens = 1024;
  RequestGenerator generator(spec, 1);
  int raised = 0;
  for (const RequestSpec& request : drain(generator)) {
    CHECK(request.input_tokens >= 1024);
    raised += request.input_tokens == 1024 ? 1 : 0;
    CHECK(request.prefix_block_tokens == 1024);
    // FNV-1a 64 of "shared-prefix".
    CHECK(request.prefix_hashes == std::vector<std::uint64_t>{0xb2c0967240fd63cfULL});
  }
  CHECK(raised > 50);  // about half of uniform(10, 2000) falls below 1024
}

TEST_CASE("ten million synthetic requests are generated lazily" * doctest::timeout(1.0)) {
  RequestGenerator generator(synthetic(10'000'000), 1);
  CHECK(generator.total_requests() == 10'000'000);
  for (int i = 0; i < 1000; ++i) REQUIRE(generator.next().has_value());
}

TEST_CASE("a trace workload replays mooncake rows with their prefix hashes") {
  const std::string path = testing::write_temp_file(
      "generator_mooncake.jsonl",
      "{\"timestamp\": 100, \"input_length\": 600, \"output_length\": 5, \"hash_ids\": [0, 1]}\n"
      "{\"timestamp\": 350, \"input_length\": 100, \"output_length\": 7, \"hash_ids\": [0]}\n");
  WorkloadSpec spec;
  spec.kind = WorkloadKind::trace;
  spec.arrival.process = ArrivalProcess::closed_loop;  // ignored for traces
  spec.trace = TraceSpec{path, TraceFormat::mooncake_jsonl, 2.0, 0, nullptr};
  RequestGenerator generator(spec, 1);
  CHECK_FALSE(generator.closed_loop());
  CHECK(generator.total_requests() == 2);
  const std::vector<RequestSpec> requests = drain(generator);
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].arrival_ns == 0);
  CHECK(requests[1].arrival_ns == 125'000'000);  // 250 ms at twice the speed
  CHECK(requests[0].input_tokens == 600);
  CHECK(requests[1].output_tokens == 7);
  CHECK(requests[0].prefix_hashes == std::vector<std::uint64_t>{0, 1});
  CHECK(requests[0].prefix_block_tokens == 512);
  CHECK(requests[1].id == 1);
}

TEST_CASE("an unreadable trace is an input error from the constructor") {
  WorkloadSpec spec;
  spec.kind = WorkloadKind::trace;
  spec.trace = TraceSpec{"/nonexistent/llmsim/trace.csv", TraceFormat::azure_csv, 1.0, 0, nullptr};
  CHECK(error_of(spec).find("/nonexistent/llmsim/trace.csv: cannot open trace file") != std::string::npos);
}

TEST_CASE("invalid synthetic specs are input errors naming the workload key") {
  WorkloadSpec rate = synthetic(10);
  rate.arrival.rate_per_s = -3;
  CHECK(error_of(rate) == "workload.arrival.rate_per_s: expected a finite number > 0, got -3");
  WorkloadSpec count = synthetic(0);
  CHECK(error_of(count) == "workload.num_requests: expected a positive integer, got 0");
  WorkloadSpec cv = synthetic(10, ArrivalProcess::gamma);
  cv.arrival.cv = 0;
  CHECK(error_of(cv) == "workload.arrival.cv: expected a finite number > 0, got 0");
  WorkloadSpec clients = synthetic(10, ArrivalProcess::closed_loop);
  clients.arrival.clients = 0;
  CHECK(error_of(clients) == "workload.arrival.clients: expected a positive integer, got 0");
  WorkloadSpec median = synthetic(10);
  median.input_tokens = LengthDistribution{LognormalLength{0, 1}};
  CHECK(error_of(median) == "workload.input_tokens.median: expected a finite number > 0, got 0");
  WorkloadSpec range = synthetic(10);
  range.output_tokens = LengthDistribution{UniformLength{5.2, 5.8}};
  CHECK(error_of(range).find("workload.output_tokens.high: ") == 0);
  WorkloadSpec empty = synthetic(10);
  empty.input_tokens = LengthDistribution{EmpiricalLength{}};
  CHECK(error_of(empty).find("workload.input_tokens.values: ") == 0);
  WorkloadSpec prefix = synthetic(10);
  prefix.input_tokens.max_tokens = 100;
  prefix.shared_prefix_tokens = 200;
  CHECK(error_of(prefix).find("workload.shared_prefix_tokens: ") == 0);
  WorkloadSpec no_trace;
  no_trace.kind = WorkloadKind::trace;
  CHECK(error_of(no_trace) == "workload.trace: kind trace needs a trace section");
}

}  // namespace llmsim::workloads
