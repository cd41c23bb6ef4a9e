// The engines' two-batch-overlap schedules (hw/overlap_schedule.h) on hand-traced layers,
// and the bounds one stream and one link put on any schedule.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>

#include "hw/overlap_schedule.h"

namespace {

using llmsim::hw::LayerPieces;
using llmsim::hw::overlapped_layers_s;
using llmsim::hw::OverlapSchedule;

struct Layout {
  OverlapSchedule schedule;
  bool prefill;
};
constexpr Layout kLayouts[] = {{OverlapSchedule::sglang_tbo, false},
                               {OverlapSchedule::sglang_tbo, true},
                               {OverlapSchedule::vllm_dbo, false}};

double compute_of(const LayerPieces& p) { return p.pre + p.core + p.shared + p.routed; }

// pre 1, core 4, shared 1, routed 2 (8 s of compute a micro-batch), dispatch and combine 3 s each.
constexpr LayerPieces kLayer{.pre = 1.0, .core = 4.0, .shared = 1.0, .routed = 2.0, .comm = 3.0};

}  // namespace

TEST_CASE("SGLang decode TBO (delta 2), one layer traced by hand: the dispatch hides only under shared + pre") {
  // Stream: A.pre 0-1, A.core 1-5, A sends D (link 5-8), A.shared 5-6, B.pre 6-7, A waits D
  // to 8, A.routed 8-10, A sends C (link 10-13), B.core 10-14, A receives C (13 <= 14),
  // B sends D (link 14-17), B.shared 14-15, B waits D to 17, B.routed 17-19, B sends C
  // (link 19-22), B waits C to 22.
  CHECK(overlapped_layers_s(OverlapSchedule::sglang_tbo, false, kLayer, 1) == doctest::Approx(22.0));
}

TEST_CASE("SGLang prefill TBO (delta 0), one layer traced by hand") {
  // A.attention 0-5, A sends D (link 5-8); B.attention 5-10, B sends D (link 10-13);
  // A.routed 10-12, A sends C (link queued 13-16); B waits D to 13, B.routed 13-15, B sends
  // C (link 16-19); A.shared 15-16, A receives C at 16; B.shared 16-17, B waits C to 19.
  CHECK(overlapped_layers_s(OverlapSchedule::sglang_tbo, true, kLayer, 1) == doctest::Approx(19.0));
}

TEST_CASE("vLLM DBO, one layer traced by hand (docs/design/dbo.md's order)") {
  // 1.attention 0-5; D1 (link 5-8) under 0.attention 5-10; D0 (link 10-13) under 1.routed
  // 10-12, wait to 13; C1 (link 13-16) under 1.shared + 0.routed 13-16; C0 (link 16-19)
  // under 0.shared 16-17, wait to 19.
  CHECK(overlapped_layers_s(OverlapSchedule::vllm_dbo, false, kLayer, 1) == doctest::Approx(19.0));
}

TEST_CASE("without communication every schedule is the two micro-batches' compute; without compute, the link's") {
  const LayerPieces compute_only{.pre = 0.5, .core = 2.0, .shared = 0.25, .routed = 1.0, .comm = 0.0};
  const LayerPieces comm_only{.comm = 0.75};
  for (const Layout& layout : kLayouts) {
    for (const std::int64_t layers : {1, 3, 58}) {
      const double n = static_cast<double>(layers);
      CHECK(overlapped_layers_s(layout.schedule, layout.prefill, compute_only, layers) ==
            doctest::Approx(2.0 * n * 3.75));
      // Two micro-batches x (dispatch + combine) per layer, one after another on the link.
      CHECK(overlapped_layers_s(layout.schedule, layout.prefill, comm_only, layers) == doctest::Approx(4.0 * n * 0.75));
    }
  }
}

TEST_CASE("any schedule takes at least the longer of compute and communication and at most their sum") {
  std::mt19937_64 rng(24);
  std::uniform_real_distribution<double> piece(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    const LayerPieces p{.pre = piece(rng), .core = piece(rng), .shared = piece(rng), .routed = piece(rng),
                        .comm = 2.0 * piece(rng)};
    const std::int64_t layers = 1 + trial % 7;
    const double n = static_cast<double>(layers);
    const double compute = 2.0 * n * compute_of(p);
    const double comm = 4.0 * n * p.comm;
    for (const Layout& layout : kLayouts) {
      const double t = overlapped_layers_s(layout.schedule, layout.prefill, p, layers);
      CHECK(t >= std::max(compute, comm) * (1.0 - 1e-12));
      CHECK(t <= (compute + comm) * (1.0 + 1e-12));
    }
  }
}

TEST_CASE("the pairing decides what hides: a long routed stage hides vLLM's dispatch, not SGLang decode's") {
  // Only routed experts and communication: SGLang's decode stages give the dispatch the
  // shared experts and the other micro-batch's pre-attention to hide under (none here);
  // vLLM's schedule runs micro-batch 1's routed experts while micro-batch 0's dispatch flies.
  const LayerPieces routed_only{.routed = 4.0, .comm = 1.0};
  const double sglang = overlapped_layers_s(OverlapSchedule::sglang_tbo, false, routed_only, 10);
  const double vllm = overlapped_layers_s(OverlapSchedule::vllm_dbo, false, routed_only, 10);
  CHECK(vllm < sglang);
  CHECK(sglang > 2.0 * 10.0 * 4.0);  // some dispatch is exposed
}
