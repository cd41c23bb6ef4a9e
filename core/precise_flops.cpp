#include "core/precise_flops.h"

#include "core/architecture.h"
#include "core/input_error.h"
#include "core/invariant.h"
#include "core/model_dims.h"
#include "core/parameter_counts.h"

namespace llmsim::core {

double attention_flops(double layers, double batch, double new_tokens, double attended_tokens,
                       double width) {
  return 4.0 * layers * batch * new_tokens * attended_tokens * width;
}

double causal_attention_pairs(std::int64_t new_tokens, std::int64_t cached_tokens) {
  return causal_pairs(static_cast<double>(new_tokens), static_cast<double>(cached_tokens));
}

PreciseFlopCoefficients precise_flop_coefficients(const ModelSpec& model) {
  const ParameterCounts counts = count_parameters(model);
  PreciseFlopCoefficients coefficients;
  coefficients.matmul_flops_per_token = 2.0 * counts.active_non_embedding;
  if (model.has_linear_attention()) {
    // A hybrid's linear-attention recurrences: per token, whatever the context.
    coefficients.matmul_flops_per_token += Architecture(model).linear_attention_flops_per_token();
  }
  // attention_flops() with one sequence, one new token and one attended token is one pair.
  coefficients.attention_flops_per_pair = attention_flops(
      static_cast<double>(model.num_layers), 1.0, 1.0, 1.0, static_cast<double>(query_width(model)));
  coefficients.decode_attention_flops_per_pair = coefficients.attention_flops_per_pair;
  if (model.is_mla()) {
    const Architecture architecture(model);
    const double layers = static_cast<double>(model.num_layers);
    coefficients.attention_flops_per_pair =
        layers * architecture.attention_flops_per_pair(AttentionPhase::prefill);
    coefficients.decode_attention_flops_per_pair =
        layers * architecture.attention_flops_per_pair(AttentionPhase::decode);
    coefficients.prefill_flops_per_cached_token = layers * architecture.prefill_flops_per_cached_token();
  }
  coefficients.lm_head_flops_per_sample =
      model.head == HeadKind::language_model ? 2.0 * counts.lm_head : 0.0;
  return coefficients;
}

StepFlops precise_step_flops(const PreciseFlopCoefficients& coefficients, std::int64_t new_tokens,
                             std::int64_t cached_tokens, bool sampled) {
  check_invariant(new_tokens >= 0 && cached_tokens >= 0,
                  "precise_step_flops: token counts must not be negative");
  StepFlops flops;
  flops.matmul_flops = coefficients.matmul_flops_per_token * static_cast<double>(new_tokens);
  const bool decode = new_tokens == 1 && cached_tokens > 0;
  const double per_pair =
      decode ? coefficients.decode_attention_flops_per_pair : coefficients.attention_flops_per_pair;
  flops.attention_flops = per_pair * causal_attention_pairs(new_tokens, cached_tokens);
  if (!decode && coefficients.prefill_flops_per_cached_token > 0.0) {
    flops.attention_flops += coefficients.prefill_flops_per_cached_token * static_cast<double>(cached_tokens);
  }
  flops.lm_head_flops = sampled ? coefficients.lm_head_flops_per_sample : 0.0;
  return flops;
}

StepFlops precise_step_flops(const ModelSpec& model, std::int64_t new_tokens,
                             std::int64_t cached_tokens, bool sampled) {
  return precise_step_flops(precise_flop_coefficients(model), new_tokens, cached_tokens, sampled);
}

FlopBreakdown precise_flops(const ModelSpec& model, const FlopQuery& query) {
  validate_flop_query(query);
  if (query.output_tokens > 0 && query.input_tokens == 0) {
    throw InputError("", 0, "input_tokens",
                     "the precise method needs at least one prompt token to generate from");
  }
  const PreciseFlopCoefficients k = precise_flop_coefficients(model);
  const double batch = static_cast<double>(query.batch);
  const double output = static_cast<double>(query.output_tokens);

  // Keys attended follow the layers' windows (Architecture); without windows these are the
  // causal pairs s c + s (s + 1) / 2.
  const Architecture architecture(model);
  StepFlops prefill = precise_step_flops(k, query.input_tokens, 0, /*sampled=*/query.output_tokens > 0);
  prefill.attention_flops =
      k.attention_flops_per_pair * architecture.mean_attention_pairs(query.input_tokens, 0);

  // Decode steps k = 1..O-1: one new token on top of I + k - 1 cached, attending I + k keys
  // (at most W in a windowed layer): the pairs of O - 1 new tokens on top of I cached.
  const double steps = output > 0.0 ? output - 1.0 : 0.0;
  const std::int64_t decode_steps = query.output_tokens > 0 ? query.output_tokens - 1 : 0;
  const double decode_pairs = architecture.mean_attention_pairs(decode_steps, query.input_tokens);
  double decode = steps * k.matmul_flops_per_token + decode_pairs * k.decode_attention_flops_per_pair +
                  steps * k.lm_head_flops_per_sample;
  if (architecture.has_sparse_attention()) {
    // DSA: the attention pairs above are capped at the top-k keys; the lightning indexer
    // scores every earlier key, the uncapped causal pairs (Architecture::indexer_flops_per_key).
    prefill.attention_flops += architecture.indexer_flops_per_key() * causal_attention_pairs(query.input_tokens, 0);
    decode += architecture.indexer_flops_per_key() * causal_attention_pairs(decode_steps, query.input_tokens);
  }

  FlopBreakdown result;
  result.query = query;
  result.flops_prefill = batch * prefill.total();
  result.flops_decode = batch * decode;
  return result;
}

}  // namespace llmsim::core
