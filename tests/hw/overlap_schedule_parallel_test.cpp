// The engines' two-batch-overlap schedules (hw/overlap_schedule.h) on hand-traced layers,
// with and without compute slowed beside an in-flight phase (DeepEP's normal kernels'
// SMs), and the bounds one stream and one link put on any schedule.
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

TEST_CASE("compute beside an in-flight phase at half speed, one layer traced by hand per schedule") {
  LayerPieces half_speed = kLayer;
  half_speed.compute_rate_beside_comm = 0.5;
  // SGLang prefill: A.attention 0-5 (link idle), A sends D (link 5-8); B.attention's 5 s of
  // work: 3 s beside D do 1.5, the other 3.5 alone, 5-11.5; B sends D (link 11.5-14.5);
  // A.routed: 3 s beside B's D do 1.5, 0.5 alone, to 15, A sends C (link 15-18); B waits D
  // (14.5 <= 15), B.routed: 3 s beside A's C do 1.5, to 18.5, B sends C (link 18.5-21.5);
  // A.shared at half speed 18.5-20.5 (C arrived at 18); B.shared: 1 s beside C does 0.5,
  // 0.5 alone, to 22 (B's C arrived at 21.5).
  CHECK(overlapped_layers_s(OverlapSchedule::sglang_tbo, true, half_speed, 1) == doctest::Approx(22.0));
  // SGLang decode: A.pre 0-1, A.core 1-5, A sends D (link 5-8), A.shared at half speed 5-7,
  // B.pre: 1 s beside D does 0.5, 0.5 alone, to 8.5; A waits D (8), A.routed alone 8.5-10.5,
  // A sends C (link 10.5-13.5); B.core: 3 s beside C do 1.5, 2.5 alone, to 16; A receives C;
  // B sends D (link 16-19), B.shared at half speed 16-18, B waits D to 19, B.routed 19-21,
  // B sends C (link 21-24), waits to 24.
  CHECK(overlapped_layers_s(OverlapSchedule::sglang_tbo, false, half_speed, 1) == doctest::Approx(24.0));
  // vLLM DBO: 1.attention 0-5; D1 (link 5-8); 0.pre at half speed 5-7; 0.core: 1 s beside
  // D1 does 0.5, 3.5 alone, to 11.5; D0 (link 11.5-14.5); 1.routed: 3 s do 1.5, 0.5 alone,
  // to 15; C1 (link 15-18); 1.shared at half speed 15-17; 0.routed: 1 s does 0.5, 1.5 alone,
  // to 19.5; C0 (link 19.5-22.5); 0.shared at half speed to 21.5; wait C0 to 22.5.
  CHECK(overlapped_layers_s(OverlapSchedule::vllm_dbo, false, half_speed, 1) == doctest::Approx(22.5));
}

TEST_CASE("slower compute beside communication never speeds a schedule up, and is harmless without communication") {
  const LayerPieces compute_only{.pre = 0.5, .core = 2.0, .shared = 0.25, .routed = 1.0, .comm = 0.0,
                                 .compute_rate_beside_comm = 0.25};
  for (const Layout& layout : kLayouts) {
    CHECK(overlapped_layers_s(layout.schedule, layout.prefill, compute_only, 4) == doctest::Approx(2.0 * 4.0 * 3.75));
    double previous = 0.0;
    for (const double rate : {1.0, 0.9, 0.75, 0.5, 0.25}) {
      LayerPieces p = kLayer;
      p.compute_rate_beside_comm = rate;
      const double t = overlapped_layers_s(layout.schedule, layout.prefill, p, 3);
      CHECK(t >= previous * (1.0 - 1e-12));
      previous = t;
    }
  }
}

TEST_CASE("any schedule takes at least the longer of compute and communication and at most their sum") {
  std::mt19937_64 rng(24);
  std::uniform_real_distribution<double> piece(0.0, 1.0);
  for (int trial = 0; trial < 200; ++trial) {
    // Half the trials with compute slowed beside the link (DeepEP's normal kernels).
    const double rate = trial % 2 == 0 ? 1.0 : 0.1 + 0.9 * piece(rng);
    const LayerPieces p{.pre = piece(rng), .core = piece(rng), .shared = piece(rng), .routed = piece(rng),
                        .comm = 2.0 * piece(rng), .compute_rate_beside_comm = rate};
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
