#include "loader/range_checks.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <variant>

#include "core/input_checks.h"
#include "hw/step_time_model.h"
#include "loader/scalar_parse.h"
#include "sim/engine/kv_capacity.h"
#include "workloads/distributions.h"

namespace llmsim::loader {
namespace {

/// The largest |z| sample_standard_normal can return: the inverse normal CDF at the
/// smallest value RngStream::uniform_open01 returns, 2^-54 (half an ulp above 0 at 2^-53).
double largest_standard_normal() { return -workloads::inverse_normal_cdf(0x1.0p-54); }

/// The biggest iteration a replica of `pool` can run: every limit of the engine at once,
/// cut to what the KV cache holds (a running sequence holds at least one block; new tokens
/// and attended keys live in the cache). An upper bound of any real iteration's price.
hw::BatchShape largest_batch(const sim::PoolSpec& pool, std::int64_t blocks) {
  const std::int64_t capacity_tokens =
      blocks > std::numeric_limits<std::int64_t>::max() / pool.engine.block_size
          ? std::numeric_limits<std::int64_t>::max()
          : blocks * pool.engine.block_size;
  const std::int64_t seqs = std::min(pool.engine.max_num_seqs, blocks);
  const std::int64_t tokens = std::min(pool.engine.max_num_batched_tokens, capacity_tokens);
  const double keys = static_cast<double>(std::min(capacity_tokens, pool.model.max_position_embeddings));
  hw::BatchShape shape;
  shape.prefill_seqs = std::min(seqs, tokens);
  shape.prefill_tokens = tokens;
  shape.prefill_attention_pairs = static_cast<double>(tokens) * keys;
  shape.prefill_kv_tokens = static_cast<double>(capacity_tokens);
  shape.decode_seqs = seqs;
  shape.decode_kv_tokens = static_cast<double>(capacity_tokens);
  shape.sampled_seqs = seqs;
  if (pool.model.has_sparse_attention()) {  // DSA's indexer scores every key, uncapped
    shape.prefill_indexer_pairs = shape.prefill_attention_pairs;
    shape.decode_indexer_keys = shape.decode_kv_tokens;
  }
  return shape;
}

std::string seconds_text(double seconds) { return format_number(seconds) + " s"; }

}  // namespace

void check_pool_representable(const YamlMap& at, const std::string& key, const sim::PoolSpec& pool) {
  const sim::KvCapacity capacity = sim::kv_capacity(pool);
  if (capacity.blocks <= 0) return;  // check_pool_fits reports it
  // sim::kv_capacity clamps the count to kMaxReplicaKvBlocks (block ids are int32): a
  // memory that holds more would silently lose the rest.
  const double unclamped_blocks = std::floor(capacity.kv_budget_bytes / capacity.block_bytes);
  if (unclamped_blocks >= kMaxReplicaKvBlocks) {
    at.fail(key, "the KV cache would hold " + format_number(unclamped_blocks) +
                     " blocks per replica, more than the simulator can number (" +
                     format_number(kMaxReplicaKvBlocks) + "); check hbm_capacity_gib, or raise engine.block_size");
  }
  if (capacity.blocks > kMaxPoolKvBlocks / pool.replicas) {
    at.fail(key, std::to_string(pool.replicas) + " replicas x " + std::to_string(capacity.blocks) +
                     " KV blocks need more than " + std::to_string(kMaxPoolKvBlocks) +
                     " blocks of bookkeeping (tens of GB of memory); use fewer replicas or a larger "
                     "engine.block_size");
  }
  const hw::StepTimeModel model(pool.model, pool.hardware, pool.precision, pool.parallelism(),
                                pool.engine.host);
  const double seconds = model.price(largest_batch(pool, capacity.blocks)).time_s;
  if (!(seconds < kMaxStepS)) {
    at.fail(key, "the largest iteration of " + pool.model.id + " on " + std::to_string(pool.tensor_parallel) +
                     " x " + pool.hardware.id + " would take " + seconds_text(seconds) +
                     ", more than an hour: check the hardware's units (hbm_bandwidth_tb_per_s, "
                     "peak_tflops, the efficiency latencies) and the engine's host time");
  }
}

void check_arrival_span(YamlMap& arrival, const workloads::ArrivalSpec& spec, std::int64_t num_requests) {
  using workloads::ArrivalProcess;
  const double half_horizon = core::kClockHorizonS / 2.0;
  const double requests = static_cast<double>(num_requests);
  switch (spec.process) {
    case ArrivalProcess::poisson:
    case ArrivalProcess::gamma:
    case ArrivalProcess::constant: {
      const double tail = spec.process == ArrivalProcess::gamma ? std::max(1.0, spec.cv * spec.cv) : 1.0;
      const double span = (requests + kTailGaps) / spec.rate_per_s;
      if (!(span < half_horizon)) {
        arrival.fail("rate_per_s", std::to_string(num_requests) + " requests at " + format_number(spec.rate_per_s) +
                                       " per second would arrive over " + seconds_text(span) +
                                       " or more, beyond half of " + core::kClockHorizonText);
      }
      if (spec.process == ArrivalProcess::gamma) {
        // Gaps are Gamma(shape 1 / cv^2, scale cv^2 / rate): both must be normal doubles.
        const double shape = 1.0 / (spec.cv * spec.cv);
        if (!(std::isnormal(shape) && std::isnormal(spec.cv * spec.cv))) {
          arrival.fail("cv", "the gamma shape 1 / cv^2 is not a representable number for cv " +
                                 format_number(spec.cv) + "; expected cv between 1e-150 and 1e150");
        }
        if (!(kTailGaps * tail / spec.rate_per_s < half_horizon)) {
          arrival.fail("cv", "a gap at the tail of a gamma of cv " + format_number(spec.cv) + " at " +
                                 format_number(spec.rate_per_s) + " per second would reach " +
                                 seconds_text(kTailGaps * tail / spec.rate_per_s) + ", beyond half of " +
                                 core::kClockHorizonText);
        }
      }
      break;
    }
    case ArrivalProcess::closed_loop: {
      if (spec.clients > num_requests) {
        arrival.fail("clients", std::to_string(spec.clients) + " clients for " + std::to_string(num_requests) +
                                    " requests: every client sends at least one request (at most num_requests "
                                    "clients)");
      }
      const double rounds = std::ceil(requests / static_cast<double>(spec.clients));
      const double span = spec.think_time_s * rounds;
      if (!(span < half_horizon)) {
        arrival.fail("think_time_s", "a client's " + format_number(rounds) + " requests in a row would think for " +
                                         seconds_text(span) + ", beyond half of " + core::kClockHorizonText);
      }
      break;
    }
    case ArrivalProcess::all_at_once:
      break;
  }
}

void check_length_representable(YamlMap& map, const workloads::LengthDistribution& length) {
  const double lo = static_cast<double>(length.min_tokens);
  const double hi = static_cast<double>(length.max_tokens);
  const std::string range = "[min " + std::to_string(length.min_tokens) + ", max " +
                            std::to_string(length.max_tokens) +
                            "]";
  const auto outside = [&](const std::string& key, double value, const std::string& what) {
    map.fail(key, what + " " + format_number(value) + " lies outside the token range " + range +
                      ": every draw would be clipped to a bound");
  };
  if (const auto* fixed = std::get_if<workloads::FixedLength>(&length.shape)) {
    const double rounded = std::round(fixed->value);
    if (rounded < lo || rounded > hi) outside("value", fixed->value, "the fixed value (rounded)");
  } else if (const auto* uniform = std::get_if<workloads::UniformLength>(&length.shape)) {
    const std::string whole = "the uniform range [" + format_number(uniform->low) + ", " + format_number(uniform->high) +
                              "]";
    if (std::floor(uniform->high) < lo) map.fail("high", whole + " lies below the token range " + range + ": every draw would be clipped to min");
    if (std::ceil(uniform->low) > hi) map.fail("low", whole + " lies above the token range " + range + ": every draw would be clipped to max");
  } else if (const auto* normal = std::get_if<workloads::NormalLength>(&length.shape)) {
    if (normal->mean < lo || normal->mean > hi) outside("mean", normal->mean, "the mean");
  } else if (const auto* lognormal = std::get_if<workloads::LognormalLength>(&length.shape)) {
    if (lognormal->median < lo || lognormal->median > hi) outside("median", lognormal->median, "the median");
    const double largest_log = std::log(lognormal->median) + lognormal->sigma * largest_standard_normal();
    if (!(largest_log < std::log(std::numeric_limits<double>::max()))) {
      map.fail("sigma", "draws of median x exp(sigma x z) would overflow a double (z reaches " +
                            format_number(largest_standard_normal()) + "); a token count needs sigma below " +
                            format_number((std::log(std::numeric_limits<double>::max()) - std::log(lognormal->median)) /
                                          largest_standard_normal()));
    }
  }
}

void check_time_limit(YamlMap& map, const std::string& key, double seconds) {
  if (!(seconds < core::kClockHorizonS)) {
    map.fail(key, "expected less than " + std::string(core::kClockHorizonText) + ", got " + format_number(seconds));
  }
}

}  // namespace llmsim::loader
