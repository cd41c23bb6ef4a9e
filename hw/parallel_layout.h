// ParallelLayout: which pipeline, attention-data and expert-parallel layouts a model and a
// fabric admit, and the pipeline stages of one (issue 24; hw/parallelism.h defines them).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/model_spec.h"
#include "hw/hardware_spec.h"
#include "hw/iteration_work_model.h"
#include "hw/parallelism.h"

namespace llmsim::hw {

/// Why a layout cannot run, and the deployment key to blame (`pipeline_parallel`,
/// `attention_data_parallel` or `expert_parallel`).
struct LayoutProblem {
  std::string key;
  std::string message;
};

/// The first problem of `parallelism` for `model` on `fabric`, or nullopt. Tensor
/// parallelism itself (heads, the TP group on the fabric) is checked elsewhere
/// (core::tensor_parallel_problem, Fabric::group_problem). Refused:
///   - a size < 1;
///   - pipeline_parallel > the model's layers (a stage without layers);
///   - expert_parallel > 1 on a dense model, not equal to DP x TP, or not dividing the
///     routed experts;
///   - attention_data_parallel > 1 without expert parallelism (vLLM would run the experts
///     as one DP x TP tensor-parallel group, not modelled; a dense model's DP ranks are
///     replicas: use deployment.replicas);
///   - a stage (DP x TP GPUs) across scale-up domains that the fabric cannot cross
///     (Fabric::group_problem), or a stage that straddles two domains (its GPUs neither a
///     divisor nor a multiple of the domain);
///   - a replica (PP x DP x TP GPUs) larger than the scale-up domain on hardware with no
///     scale-out link: the deployment is larger than the cluster the hardware describes.
std::optional<LayoutProblem> parallel_layout_problem(const core::ModelSpec& model, const Parallelism& parallelism,
                                                     const Fabric& fabric);

/// Decoder layers of each of `stages` stages of a `layers`-layer model, as vLLM's
/// get_pp_indices (vllm/distributed/utils.py) cuts them: layers / stages each, and the
/// remainder one each to the stages just before the last (the last stage also runs the
/// LM head). Precondition 1 <= stages <= layers.
std::vector<int> pipeline_stage_layers(int layers, int stages);

/// The stages of a replica of `parallelism` on `fabric`, each with its layers, whether it is
/// first or last, and whether its send to the next stage leaves its scale-up domain.
/// Precondition: parallel_layout_problem found nothing.
std::vector<StageSlice> pipeline_stages(int layers, const Parallelism& parallelism, const Fabric& fabric);

}  // namespace llmsim::hw
