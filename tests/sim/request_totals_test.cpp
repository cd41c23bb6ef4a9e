#include "sim/metrics/request_totals.h"

#include <doctest/doctest.h>

#include <vector>

using llmsim::sim::RejectReason;
using llmsim::sim::RequestRecord;
using llmsim::sim::RequestStatus;
using llmsim::sim::RequestTotals;
using llmsim::sim::SloSpec;

namespace {

RequestRecord completed(std::int64_t arrival_ns, std::int64_t first_ns, std::int64_t done_ns,
                        std::int64_t output) {
  RequestRecord r;
  r.status = RequestStatus::completed;
  r.arrival_ns = arrival_ns;
  r.scheduled_ns = arrival_ns;
  r.first_token_ns = first_ns;
  r.completion_ns = done_ns;
  r.input_tokens = 100;
  r.output_tokens = output;
  r.generated_tokens = output;
  return r;
}

}  // namespace

TEST_CASE("request totals are the same whatever the order requests finish in") {
  SloSpec slo;
  slo.ttft_ms = 50.0;
  RequestRecord rejected;
  rejected.status = RequestStatus::rejected;
  rejected.reject_reason = RejectReason::kv_capacity;
  // TTFT 20, 60 and 30 ms; TPOT (e2el - ttft) / (output - 1): 10, 5 and 0 (one token: none)
  const std::vector<RequestRecord> records = {completed(0, 20'000'000, 120'000'000, 11),
                                              completed(10'000'000, 70'000'000, 90'000'000, 5),
                                              completed(5'000'000, 35'000'000, 35'000'000, 1), rejected};
  RequestTotals forward;
  RequestTotals backward;
  for (const RequestRecord& r : records) forward.add(r, slo);
  for (auto it = records.rbegin(); it != records.rend(); ++it) backward.add(*it, slo);
  for (RequestTotals* t : {&forward, &backward}) {
    CHECK(t->completed == 3);
    CHECK(t->rejected == 1);
    CHECK(t->rejected_by[static_cast<int>(RejectReason::kv_capacity)] == 1);
    CHECK(t->output_tokens == 17);
    CHECK(t->last_completion_ns == 120'000'000);
    CHECK(t->slo_met == 2);  // TTFT 20 and 30 ms meet 50 ms
    CHECK(t->ttft_ns.percentile(50) == 30'000'000.0);
    CHECK(t->tpot_ns.count() == 2);
    CHECK(t->tpot_ns.percentile(50) == 7'500'000.0);
  }
}
