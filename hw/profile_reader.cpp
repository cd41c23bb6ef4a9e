// Sources of the formats: microsoft/vidur (MIT), data/profiling/compute/<gpu>/<org>/<model>/
// mlp.csv and attention.csv, data/profiling/network/<node>/all_reduce.csv, as copied into
// data/profiles/ (data/profiles/README.md). Vidur measures each operator of one decoder
// layer with CUDA events (Sarathi-Serve kernels, fp16) and reports min/max/mean/median/std
// in milliseconds; we use the median.
#include "hw/profile_reader.h"

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <set>
#include <utility>

#include "core/dtype.h"
#include "core/input_error.h"
#include "hw/csv_table.h"
#include "hw/layer_gemms.h"
#include "hw/sample_builder.h"

namespace llmsim::hw {
namespace {

constexpr double kMilli = 1e-3;

/// Vidur's GEMM operator names and ours.
constexpr std::array<std::pair<const char*, const char*>, 4> kVidurGemms{{
    {"attn_pre_proj", "qkv_proj"},
    {"attn_post_proj", "o_proj"},
    {"mlp_up_proj", "mlp_up_proj"},
    {"mlp_down_proj", "mlp_down_proj"},
}};
/// Vidur's elementwise operators of one layer (phi-2, with parallel attention and MLP, has
/// no post_attention_layernorm). "emb" (the embedding lookup, once per model, not per
/// layer) is not read: the step-time model leaves it out as negligible.
constexpr std::array<const char*, 5> kVidurElementwise{
    "input_layernorm", "post_attention_layernorm", "attn_rope", "mlp_act", "add"};

std::string median_column(const char* op) { return std::string("time_stats.") + op + ".median"; }

double positive_time_s(const CsvTable& table, std::size_t row, const std::string& column,
                       double scale) {
  const double value = table.number(row, column);
  if (!(value > 0.0)) {
    throw core::InputError(table.path(), table.line(row), column,
                           "expected a positive time, got " + table.text(row, column));
  }
  return value * scale;
}

int positive_int(const CsvTable& table, std::size_t row, const std::string& column) {
  const long long value = table.integer(row, column);
  if (value < 1 || value > 1'000'000'000) {
    throw core::InputError(table.path(), table.line(row), column,
                           "expected a positive integer, got " + table.text(row, column));
  }
  return static_cast<int>(value);
}

long long non_negative_int(const CsvTable& table, std::size_t row, const std::string& column) {
  const long long value = table.integer(row, column);
  if (value < 0) {
    throw core::InputError(table.path(), table.line(row), column,
                           "expected a non-negative integer, got " + table.text(row, column));
  }
  return value;
}

/// The model of a Vidur mlp.csv row: its shape columns; id = the folder it sits in.
core::ModelSpec vidur_model(const CsvTable& table, std::size_t row, const std::string& id) {
  core::ModelSpec model;
  model.id = id;
  model.num_layers = 1;
  model.hidden_size = positive_int(table, row, "n_embd");
  model.num_attention_heads = positive_int(table, row, "n_head");
  model.num_kv_heads = positive_int(table, row, "n_kv_head");
  model.head_dim = model.hidden_size / model.num_attention_heads;
  model.intermediate_size = positive_int(table, row, "n_expanded_embd");
  model.vocab_size = positive_int(table, row, "vocab_size");
  model.max_position_embeddings = 4096;
  model.gated_mlp = table.boolean(row, "use_gated_mlp");
  return model;
}

std::vector<ProfileSample> read_vidur_mlp(const CsvTable& table) {
  const std::string id = std::filesystem::path(table.path()).parent_path().filename().string();
  std::vector<ProfileSample> samples;
  std::set<std::pair<long long, int>> seen;  // Vidur repeats some (tokens, tp) rows: keep the first
  for (std::size_t row = 0; row < table.rows(); ++row) {
    const long long tokens = positive_int(table, row, "num_tokens");
    const int tp = positive_int(table, row, "num_tensor_parallel_workers");
    if (!seen.insert({tokens, tp}).second) continue;
    const SampleBuilder builder(vidur_model(table, row, id), Precision{core::DType::fp16,
                                core::DType::fp16, core::DType::fp16}, tp, table.path());
    for (const auto& [vidur, ours] : kVidurGemms) {
      samples.push_back(builder.gemm(ours, tokens, positive_time_s(table, row, median_column(vidur), kMilli)));
    }
    double elementwise_s = 0.0;
    double kernels = 0.0;
    for (const char* op : kVidurElementwise) {
      if (!table.has_column(median_column(op))) continue;
      elementwise_s += positive_time_s(table, row, median_column(op), kMilli);
      kernels += 1.0;
    }
    if (kernels > 0.0) samples.push_back(builder.elementwise(tokens, kernels, elementwise_s));
  }
  return samples;
}

std::vector<ProfileSample> read_vidur_attention(const CsvTable& table,
                                                const core::ModelSpec& model) {
  std::vector<ProfileSample> samples;
  std::map<int, SampleBuilder> builders;
  const Precision fp16{core::DType::fp16, core::DType::fp16, core::DType::fp16};
  for (std::size_t row = 0; row < table.rows(); ++row) {
    const int tp = positive_int(table, row, "tp");
    auto it = builders.find(tp);
    if (it == builders.end()) {
      try {
        it = builders.emplace(tp, SampleBuilder(model, fp16, tp, table.path())).first;
      } catch (const core::InputError& error) {
        throw core::InputError(table.path(), table.line(row), "tp", error.message());
      }
    }
    const SampleBuilder& builder = it->second;
    const long long seqs = positive_int(table, row, "batch_size");
    const long long context = non_negative_int(table, row, "kv_cache_size");
    if (table.boolean(row, "is_prefill")) {
      const long long chunk = positive_int(table, row, "prefill_chunk_size");
      samples.push_back(builder.attention_prefill(
          seqs, chunk, context, positive_time_s(table, row, "attn_prefill_median_ms", kMilli)));
    } else {
      samples.push_back(builder.attention_decode(
          seqs, context, positive_time_s(table, row, "attn_decode_median_ms", kMilli)));
    }
  }
  return samples;
}

/// Only single-node rows (num_workers == devices_per_node): tensor parallelism stays inside
/// a node; the multi-node rows measure InfiniBand, which no preset describes.
std::vector<ProfileSample> read_nccl_all_reduce(const CsvTable& table) {
  std::vector<ProfileSample> samples;
  const std::string time_column = median_column("all_reduce");
  for (std::size_t row = 0; row < table.rows(); ++row) {
    const int workers = positive_int(table, row, "num_workers");
    if (table.has_column("devices_per_node") &&
        positive_int(table, row, "devices_per_node") != workers) {
      continue;
    }
    if (workers < 2) continue;
    const double size = static_cast<double>(positive_int(table, row, "size"));
    samples.push_back(
        all_reduce_sample(size, workers, positive_time_s(table, row, time_column, kMilli), table.path()));
  }
  return samples;
}

/// The weights dtype of a row of our own format: its `weights` column when the file has
/// one, else `precision.weights`.
core::DType row_weights(const CsvTable& table, std::size_t row, const Precision& precision) {
  if (!table.has_column("weights")) return precision.weights;
  const std::string& name = table.text(row, "weights");
  const std::optional<core::DType> dtype = core::parse_dtype(name);
  if (!dtype) {
    throw core::InputError(table.path(), table.line(row), "weights",
                           "unknown dtype \"" + name + "\" (" + std::string(core::dtype_names()) + ")");
  }
  return *dtype;
}

/// The SampleBuilder of (tensor parallel, weights) for a row, made on first use; a model the
/// tensor-parallel size does not fit is reported at the row's tp.
const SampleBuilder& builder_for(std::map<std::pair<int, core::DType>, SampleBuilder>& builders,
                                 const CsvTable& table, std::size_t row, const core::ModelSpec& model,
                                 Precision precision) {
  const int tp = positive_int(table, row, "tp");
  precision.weights = row_weights(table, row, precision);
  const std::pair<int, core::DType> key{tp, precision.weights};
  auto it = builders.find(key);
  if (it == builders.end()) {
    try {
      it = builders.emplace(key, SampleBuilder(model, precision, tp, table.path())).first;
    } catch (const core::InputError& error) {
      throw core::InputError(table.path(), table.line(row), "tp", error.message());
    }
  }
  return it->second;
}

std::vector<ProfileSample> read_measurements(const CsvTable& table, const core::ModelSpec& model,
                                             const Precision& precision) {
  std::vector<ProfileSample> samples;
  std::map<std::pair<int, core::DType>, SampleBuilder> builders;
  for (std::size_t row = 0; row < table.rows(); ++row) {
    const SampleBuilder& builder = builder_for(builders, table, row, model, precision);
    const std::string& op = table.text(row, "op");
    const double measured_s = positive_time_s(table, row, "measured_s", 1.0);
    const long long context = non_negative_int(table, row, "context");
    const long long batch = positive_int(table, row, "batch");
    try {
      if (op == "elementwise") {
        samples.push_back(builder.elementwise(positive_int(table, row, "tokens"), 4.0, measured_s));
      } else if (op == "attention_prefill") {
        samples.push_back(builder.attention_prefill(batch, positive_int(table, row, "tokens"),
                                                    context, measured_s));
      } else if (op == "attention_decode") {
        samples.push_back(builder.attention_decode(batch, context, measured_s));
      } else if (op == "all_reduce") {
        samples.push_back(builder.all_reduce(positive_int(table, row, "tokens"), measured_s));
      } else if (is_routed_expert_operator(op)) {
        samples.push_back(builder.routed_experts(op, positive_int(table, row, "tokens"), measured_s));
      } else if (is_grouped_expert_operator(op)) {
        samples.push_back(
            builder.grouped_experts(op, batch, positive_int(table, row, "tokens"), measured_s));
      } else {
        samples.push_back(builder.gemm(op, positive_int(table, row, "tokens"), measured_s));
      }
    } catch (const core::InputError& error) {
      const std::string key = error.key_path().empty() ? "op" : error.key_path();
      throw core::InputError(table.path(), table.line(row), key, error.message());
    }
  }
  return samples;
}

const core::ModelSpec& require_model(const core::ModelSpec* model, const std::string& path) {
  if (model == nullptr) {
    throw core::InputError(path, 0, "",
                           "this profile has no model shape of its own: give the model (--model)");
  }
  if (const std::optional<std::string> problem = profile_model_problem(*model)) {
    throw core::InputError(path, 0, "", *problem);
  }
  return *model;
}

}  // namespace

namespace {
ProfileFormat format_of(const CsvTable& table) {
  const std::string& path = table.path();
  if (table.has_column("time_stats.attn_pre_proj.median")) return ProfileFormat::vidur_mlp;
  if (table.has_column("attn_decode_median_ms")) return ProfileFormat::vidur_attention;
  if (table.has_column("time_stats.all_reduce.median")) return ProfileFormat::nccl_all_reduce;
  if (table.has_column("measured_s") && table.has_column("op")) return ProfileFormat::measurements;
  throw core::InputError(path, 0, "",
                         "unknown profile format: expected a Vidur mlp.csv or attention rows, an "
                         "NCCL all_reduce.csv, or op,tokens,context,batch,tp,measured_s");
}
}  // namespace

ProfileFormat detect_profile_format(const std::string& path) { return format_of(CsvTable(path)); }

std::vector<ProfileSample> read_profile(const std::string& path, const core::ModelSpec* model,
                                        const Precision& precision) {
  const CsvTable table(path);
  switch (format_of(table)) {
    case ProfileFormat::vidur_mlp:
      return read_vidur_mlp(table);
    case ProfileFormat::vidur_attention:
      return read_vidur_attention(table, require_model(model, path));
    case ProfileFormat::nccl_all_reduce:
      return read_nccl_all_reduce(table);
    case ProfileFormat::measurements:
      return read_measurements(table, require_model(model, path), precision);
  }
  return {};
}

}  // namespace llmsim::hw
