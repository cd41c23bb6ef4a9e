#include "hw/parallel_layout.h"

#include "core/invariant.h"

namespace llmsim::hw {
namespace {

std::string text(std::int64_t value) { return std::to_string(value); }

std::optional<LayoutProblem> size_problem(const Parallelism& parallelism) {
  const std::pair<const char*, int> sizes[] = {{"pipeline_parallel", parallelism.pipeline_parallel},
                                               {"attention_data_parallel", parallelism.attention_data_parallel},
                                               {"expert_parallel", parallelism.expert_parallel}};
  for (const auto& [key, value] : sizes) {
    if (value < 1) return LayoutProblem{key, "expected a positive integer, got " + text(value)};
  }
  return std::nullopt;
}

std::optional<LayoutProblem> expert_problem(const core::ModelSpec& model, const Parallelism& parallelism) {
  const int ep = parallelism.expert_parallel;
  const int dp = parallelism.attention_data_parallel;
  const int stage_gpus = parallelism.gpus_per_stage();
  if (ep > 1 && !model.is_moe()) {
    return LayoutProblem{"expert_parallel", "model " + model.id + " is dense (no routed experts to shard): use 1"};
  }
  if (ep > 1 && ep != stage_gpus) {
    return LayoutProblem{"expert_parallel",
                         "expected tensor_parallel x attention_data_parallel = " + text(stage_gpus) + " (the GPUs of a " +
                             "stage, as vLLM's --enable-expert-parallel sizes the EP group), got " + text(ep)};
  }
  if (ep > 1 && model.num_experts % ep != 0) {
    return LayoutProblem{"expert_parallel", text(ep) + " must divide the " + text(model.num_experts) +
                                                " routed experts of model " + model.id};
  }
  if (dp > 1 && ep == 1) {
    return LayoutProblem{"attention_data_parallel",
                         model.is_moe() ? "attention data parallelism needs expert_parallel = tensor_parallel x "
                                          "attention_data_parallel = " + text(stage_gpus) +
                                              " (experts as one tensor-parallel group over the DP ranks is not modelled)"
                                        : "model " + model.id + " is dense: its data-parallel ranks are replicas, "
                                                                "use deployment.replicas"};
  }
  return std::nullopt;
}

std::optional<LayoutProblem> fabric_problem(const Parallelism& parallelism, const Fabric& fabric) {
  const int stage_gpus = parallelism.gpus_per_stage();
  const int domain = fabric.scale_up_domain_gpus;
  // The stage's group (the EP group, or the attention ranks) crossing domains.
  if (parallelism.attention_data_parallel > 1 || parallelism.expert_parallel > 1) {
    if (const auto problem = fabric.group_problem(stage_gpus)) {
      return LayoutProblem{parallelism.expert_parallel > 1 ? "expert_parallel" : "attention_data_parallel",
                           "a stage of " + text(stage_gpus) + " GPUs: " + *problem};
    }
  }
  if (parallelism.pipeline_parallel > 1 && domain > 0) {
    const int gpus = parallelism.gpus();
    if (gpus > domain && !fabric.has_scale_out()) {
      return LayoutProblem{"pipeline_parallel",
                           "the replica's " + text(gpus) + " GPUs exceed the scale-up domain of " + text(domain) +
                               " GPUs and the hardware states no scale_out_bandwidth_gb_per_s: the deployment is "
                               "larger than the cluster the hardware describes"};
    }
    if (stage_gpus < domain && domain % stage_gpus != 0) {
      return LayoutProblem{"pipeline_parallel", "a stage of " + text(stage_gpus) + " GPUs would straddle two " +
                                                    "scale-up domains of " + text(domain) +
                                                    " GPUs (a stage must divide the domain)"};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<LayoutProblem> parallel_layout_problem(const core::ModelSpec& model, const Parallelism& parallelism,
                                                     const Fabric& fabric) {
  if (auto problem = size_problem(parallelism)) return problem;
  if (parallelism.pipeline_parallel > model.num_layers) {
    return LayoutProblem{"pipeline_parallel", "expected at most the " + text(model.num_layers) +
                                                  " layers of model " + model.id + " (a stage needs a layer), got " +
                                                  text(parallelism.pipeline_parallel)};
  }
  if (model.has_linear_attention() && !parallelism.tensor_only()) {
    // The per-stage work items do not carry the recurrence and state terms yet (issue 23).
    const char* key = parallelism.pipeline_parallel > 1       ? "pipeline_parallel"
                      : parallelism.expert_parallel > 1       ? "expert_parallel"
                                                              : "attention_data_parallel";
    return LayoutProblem{key, "model " + model.id +
                                  " has linear-attention layers, which only tensor parallelism prices yet"};
  }
  if (auto problem = expert_problem(model, parallelism)) return problem;
  return fabric_problem(parallelism, fabric);
}

std::vector<int> pipeline_stage_layers(int layers, int stages) {
  core::check_invariant(stages >= 1 && stages <= layers, "pipeline_stage_layers: 1 <= stages <= layers");
  std::vector<int> partitions(static_cast<std::size_t>(stages), layers / stages);
  const int remaining = layers % stages;
  for (int i = 2; i < remaining + 2; ++i) ++partitions[static_cast<std::size_t>(stages - i)];
  return partitions;
}

std::vector<StageSlice> pipeline_stages(int layers, const Parallelism& parallelism, const Fabric& fabric) {
  const int stages = parallelism.pipeline_parallel;
  const std::vector<int> partition = pipeline_stage_layers(layers, stages);
  const int stage_gpus = parallelism.gpus_per_stage();
  const int domain = fabric.scale_up_domain_gpus;
  std::vector<StageSlice> slices;
  for (int s = 0; s < stages; ++s) {
    StageSlice slice;
    slice.layers = partition[static_cast<std::size_t>(s)];
    slice.first = s == 0;
    slice.last = s == stages - 1;
    // Stage s owns GPUs [s g, (s+1) g); its send leaves the domain when stage s+1 starts a
    // new one (or every stage spans domains of its own).
    if (!slice.last && domain > 0) {
      const int next_first_gpu = (s + 1) * stage_gpus;
      slice.send_crosses_domain = stage_gpus >= domain || next_first_gpu % domain == 0;
    }
    slices.push_back(slice);
  }
  return slices;
}

}  // namespace llmsim::hw
