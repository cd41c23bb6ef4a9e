// engine.speculative: reading, defaults and the errors of bad settings.
#include <doctest/doctest.h>

#include <string>

#include "loader/scenario_loader.h"
#include "tests/loader/scenario_error.h"

using llmsim::loader::load_scenario_text;
using llmsim::sim::SpeculativeMethod;
using llmsim::testing::error_of;

namespace {

/// Llama-3.1-8B on an H100 with `speculative` as engine.speculative's flow mapping (line 5).
std::string scenario_with(const std::string& speculative, const std::string& model = "llama-3.1-8b") {
  return "seed: 1\nmodel: " + model + "\nhardware: h100-sxm\nengine:\n  speculative: " + speculative +
         "\nworkload:\n  kind: synthetic\n  num_requests: 5\n  arrival: {process: poisson, rate_per_s: 1}\n"
         "  input_tokens: {dist: fixed, value: 100}\n  output_tokens: {dist: fixed, value: 10}\n";
}

}  // namespace

TEST_CASE("speculative decoding is off unless engine.speculative is set") {
  const auto plain = load_scenario_text(
      "seed: 1\nmodel: llama-3.1-8b\nhardware: h100-sxm\nworkload:\n  kind: synthetic\n  num_requests: 5\n"
      "  arrival: {process: poisson, rate_per_s: 1}\n  input_tokens: {dist: fixed, value: 100}\n"
      "  output_tokens: {dist: fixed, value: 10}\n",
      "s.yaml");
  CHECK_FALSE(plain.pools.front().engine.speculative.enabled());
}

TEST_CASE("each method reads its draft's shape") {
  const auto eagle = load_scenario_text(
      scenario_with("{method: eagle3, num_speculative_tokens: 3, acceptance: [0.8, 0.7, 0.6]}"), "s.yaml");
  const auto& e = eagle.pools.front().engine.speculative;
  CHECK(e.enabled());
  CHECK(e.method == SpeculativeMethod::eagle3);
  CHECK(e.num_speculative_tokens == 3);
  CHECK(e.acceptance == std::vector<double>{0.8, 0.7, 0.6});
  CHECK(e.draft_layers == 1);  // one decoder layer unless told
  CHECK(e.disable_above_batch == 0);
  CHECK_FALSE(e.draft_model.has_value());

  const auto mtp = load_scenario_text(
      scenario_with("{method: mtp, num_speculative_tokens: 2, acceptance: [1, 0], draft_layers: 2, "
                    "disable_above_batch: 32}"),
      "s.yaml");
  CHECK(mtp.pools.front().engine.speculative.draft_layers == 2);
  CHECK(mtp.pools.front().engine.speculative.disable_above_batch == 32);

  const auto draft = load_scenario_text(
      scenario_with("{method: draft_model, draft_model: qwen3-8b, num_speculative_tokens: 1, acceptance: [0.5]}",
                    "qwen3-14b"),
      "s.yaml");
  const auto& d = draft.pools.front().engine.speculative;
  REQUIRE(d.draft_model.has_value());
  CHECK(d.draft_model->id == "qwen3-8b");
  CHECK(d.draft_layers == 0);
}

TEST_CASE("bad speculative settings name their key") {
  const auto error = [](const std::string& speculative) { return error_of(scenario_with(speculative)); };
  CHECK(error("{method: ngram, num_speculative_tokens: 0, acceptance: []}") ==
        "scenario.yaml:5: engine.speculative.num_speculative_tokens: expected a positive integer, got \"0\"");
  CHECK(error("{method: ngram, num_speculative_tokens: 2, acceptance: [0.5, 1.5]}") ==
        "scenario.yaml:5: engine.speculative.acceptance: expected probabilities in [0, 1], got \"1.5\"");
  CHECK(error("{method: ngram, num_speculative_tokens: 2, acceptance: [0.5, -0.1]}").find(
            "engine.speculative.acceptance: expected probabilities in [0, 1]") != std::string::npos);
  CHECK(error("{method: ngram, num_speculative_tokens: 3, acceptance: [0.5, 0.5]}") ==
        "scenario.yaml:5: engine.speculative.acceptance: expected 3 probabilities (one per speculative token), got 2");
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: 0.5}").find(
            "engine.speculative.acceptance: expected a list of probabilities") != std::string::npos);
  CHECK(error("{method: medusa, num_speculative_tokens: 1, acceptance: [0.5]}") ==
        "scenario.yaml:5: engine.speculative.method: expected one of draft_model, eagle, eagle3, mtp, ngram, got "
        "\"medusa\"");
  CHECK(error("{num_speculative_tokens: 1, acceptance: [0.5]}").find("missing required key \"method\"") !=
        std::string::npos);
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: [0.5], draft_layers: 1}") ==
        "scenario.yaml:5: engine.speculative.draft_layers: only eagle, eagle3 and mtp have draft layers");
  CHECK(error("{method: eagle3, num_speculative_tokens: 1, acceptance: [0.5], draft_layers: 33}") ==
        "scenario.yaml:5: engine.speculative.draft_layers: expected at most the target's 32 layers, got 33");
  CHECK(error("{method: mtp, num_speculative_tokens: 1, acceptance: [0.5], draft_model: llama-3.1-8b}") ==
        "scenario.yaml:5: engine.speculative.draft_model: only methods draft_model, eagle and eagle3 have a draft model");
  CHECK(error("{method: draft_model, num_speculative_tokens: 1, acceptance: [0.5]}").find(
            "missing required key \"draft_model\"") != std::string::npos);
  // Llama-2's tokenizer has 32,000 tokens, Llama-3.1's 128,256.
  CHECK(error("{method: draft_model, draft_model: llama-2-7b, num_speculative_tokens: 1, acceptance: [0.5]}") ==
        "scenario.yaml:5: engine.speculative.draft_model: draft model llama-2-7b has a vocabulary of 32000 tokens, "
        "the target llama-3.1-8b one of 128256: a draft proposes the target's tokens");
  CHECK(error("{method: draft_model, draft_model: no-such-model, num_speculative_tokens: 1, acceptance: [0.5]}")
            .find("engine.speculative.draft_model: ") != std::string::npos);
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: [0.5], disable_above_batch: 0}") ==
        "scenario.yaml:5: engine.speculative.disable_above_batch: expected a positive integer, got \"0\"");
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: [0.5], trees: 3}").find("unknown key") !=
        std::string::npos);
}

TEST_CASE("a draft model's weights count in the fit: Qwen3-32B and an 8B draft need more than one H100") {
  CHECK(error_of(scenario_with("{method: draft_model, draft_model: qwen3-8b, num_speculative_tokens: 1, "
                               "acceptance: [0.5]}",
                               "qwen3-32b"))
            .find("+ draft weights 16.38 GB") != std::string::npos);
}

TEST_CASE("an engine speculates only with the methods its preset lists") {
  const auto on = [](const std::string& engine, const std::string& method) {
    return "seed: 1\nmodel: llama-3.1-8b\nhardware: h100-sxm\nengine:\n  kind: " + engine +
           "\n  speculative: {method: " + method + ", num_speculative_tokens: 1, acceptance: [0.5]}" +
           "\nworkload:\n  kind: synthetic\n  num_requests: 5\n  arrival: {process: poisson, rate_per_s: 1}\n"
           "  input_tokens: {dist: fixed, value: 100}\n  output_tokens: {dist: fixed, value: 10}\n";
  };
  // TensorRT-LLM's PyTorch backend has no EAGLE-1/2; vLLM V0 had no EAGLE-3; V1 before 0.12
  // had no separate draft model.
  CHECK(error_of(on("trtllm", "eagle")) ==
        "scenario.yaml:6: engine.speculative.method: engine trtllm has no speculative method \"eagle\" (its preset "
        "lists draft_model, eagle3, mtp, ngram)");
  CHECK(error_of(on("vllm-v0", "eagle3")).find("engine vllm-v0 has no speculative method \"eagle3\"") !=
        std::string::npos);
  CHECK(error_of(on("vllm-v1-sync", "draft_model")).find("engine vllm-v1-sync has no speculative method") !=
        std::string::npos);
  CHECK(load_scenario_text(on("trtllm", "eagle3"), "s.yaml").pools.front().engine.speculative.method ==
        SpeculativeMethod::eagle3);
  CHECK(load_scenario_text(on("sglang", "eagle"), "s.yaml").pools.front().engine.speculative.method ==
        SpeculativeMethod::eagle);
}

TEST_CASE("an EAGLE head may be a preset of its own: another vocabulary for EAGLE-3, the target's width") {
  const auto head = load_scenario_text(
      scenario_with("{method: eagle3, draft_model: gpt-oss-20b-p-eagle-head, parallel_drafting: true, "
                    "num_speculative_tokens: 2, acceptance: [0.5, 0.5]}",
                    "gpt-oss-20b"),
      "s.yaml");
  const auto& h = head.pools.front().engine.speculative;
  REQUIRE(h.draft_model.has_value());
  CHECK(h.draft_model->num_layers == 4);
  CHECK(h.parallel_drafting);
  CHECK(h.draft_layers == 0);  // the preset's layers
  // EAGLE-3's 32000-token draft vocabulary maps to the target's 201088.
  CHECK_NOTHROW(load_scenario_text(scenario_with("{method: eagle3, draft_model: gpt-oss-20b-eagle3-head, "
                                                 "num_speculative_tokens: 1, acceptance: [0.5]}",
                                                 "gpt-oss-20b"),
                                   "s.yaml"));
  const auto error = [](const std::string& speculative, const std::string& model) {
    return error_of(scenario_with(speculative, model));
  };
  // An EAGLE-1/2 head proposes the target's own tokens.
  CHECK(error("{method: eagle, draft_model: gpt-oss-20b-eagle3-head, num_speculative_tokens: 1, acceptance: [0.5]}",
              "gpt-oss-20b")
            .find("has a vocabulary of 32000 tokens, the target gpt-oss-20b one of 201088") != std::string::npos);
  CHECK(error("{method: eagle3, draft_model: gpt-oss-20b-eagle3-head, num_speculative_tokens: 1, acceptance: [0.5]}",
              "llama-3.1-8b") ==
        "scenario.yaml:5: engine.speculative.draft_model: EAGLE head gpt-oss-20b-eagle3-head has hidden_size 2880, the "
        "target llama-3.1-8b 4096: an EAGLE head reads the target's hidden states");
  CHECK(error("{method: eagle3, draft_model: gpt-oss-20b-eagle3-head, draft_layers: 2, num_speculative_tokens: 1, "
              "acceptance: [0.5]}",
              "gpt-oss-20b") ==
        "scenario.yaml:5: engine.speculative.draft_layers: a draft_model head has its own layers");
  CHECK(error("{method: mtp, parallel_drafting: true, num_speculative_tokens: 1, acceptance: [0.5]}", "llama-3.1-8b") ==
        "scenario.yaml:5: engine.speculative.parallel_drafting: only eagle and eagle3 heads draft in parallel (P-EAGLE)");
}

TEST_CASE("a tree: steps x top_k, the nodes it verifies, one acceptance per depth") {
  const auto tree = load_scenario_text(
      scenario_with("{method: eagle, tree: {steps: 5, top_k: 4}, num_speculative_tokens: 7, "
                    "acceptance: [0.9, 0.8, 0.7, 0.6, 0.5]}"),
      "s.yaml");
  const auto& t = tree.pools.front().engine.speculative;
  CHECK(t.tree_steps == 5);
  CHECK(t.tree_top_k == 4);
  CHECK(t.depth() == 5);
  const auto error = [](const std::string& speculative) { return error_of(scenario_with(speculative)); };
  CHECK(error("{method: eagle, tree: {steps: 5, top_k: 4}, num_speculative_tokens: 7, acceptance: [0.9]}") ==
        "scenario.yaml:5: engine.speculative.acceptance: expected 5 probabilities (one per tree depth), got 1");
  CHECK(error("{method: eagle, tree: {steps: 3, top_k: 2}, num_speculative_tokens: 11, acceptance: [1, 1, 1]}") ==
        "scenario.yaml:5: engine.speculative.num_speculative_tokens: a tree of 3 steps and top_k 2 verifies between 3 "
        "and 10 drafted nodes, got 11");
  CHECK(error("{method: ngram, tree: {steps: 3, top_k: 2}, num_speculative_tokens: 3, acceptance: [1, 1, 1]}") ==
        "scenario.yaml:5: engine.speculative.tree: only eagle, eagle3 and mtp heads draft trees");
  CHECK(error("{method: eagle, tree: {steps: 0, top_k: 2}, num_speculative_tokens: 3, acceptance: [1, 1, 1]}")
            .find("engine.speculative.tree.steps: expected a positive integer") != std::string::npos);
  CHECK(error("{method: eagle3, parallel_drafting: true, tree: {steps: 2, top_k: 2}, num_speculative_tokens: 3, "
              "acceptance: [1, 1]}") ==
        "scenario.yaml:5: engine.speculative.parallel_drafting: parallel drafting proposes a chain, not a tree");
}

TEST_CASE("enabled: false keeps the section checked but runs without speculation (a sweep's off point)") {
  const auto off = load_scenario_text(
      scenario_with("{method: eagle3, num_speculative_tokens: 3, acceptance: [0.8, 0.7, 0.6], enabled: false}"),
      "s.yaml");
  CHECK_FALSE(off.pools.front().engine.speculative.enabled());
  const auto on = load_scenario_text(
      scenario_with("{method: eagle3, num_speculative_tokens: 3, acceptance: [0.8, 0.7, 0.6], enabled: true}"),
      "s.yaml");
  CHECK(on.pools.front().engine.speculative.num_speculative_tokens == 3);
  // The rest of the section is still read: a bad value fails even when the section is off.
  CHECK(error_of(scenario_with("{method: eagle3, num_speculative_tokens: 3, acceptance: [0.8, 0.7, 1.6], "
                               "enabled: false}"))
            .find("engine.speculative.acceptance") != std::string::npos);
}
