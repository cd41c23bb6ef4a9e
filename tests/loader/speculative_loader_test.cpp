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
                    "qwen3-32b"),
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
  CHECK(error("{method: eagle, num_speculative_tokens: 1, acceptance: [0.5]}") ==
        "scenario.yaml:5: engine.speculative.method: expected one of draft_model, eagle3, mtp, ngram, got \"eagle\"");
  CHECK(error("{num_speculative_tokens: 1, acceptance: [0.5]}").find("missing required key \"method\"") !=
        std::string::npos);
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: [0.5], draft_layers: 1}") ==
        "scenario.yaml:5: engine.speculative.draft_layers: only eagle3 and mtp have draft layers");
  CHECK(error("{method: eagle3, num_speculative_tokens: 1, acceptance: [0.5], draft_layers: 33}") ==
        "scenario.yaml:5: engine.speculative.draft_layers: expected at most the target's 32 layers, got 33");
  CHECK(error("{method: mtp, num_speculative_tokens: 1, acceptance: [0.5], draft_model: llama-3.1-8b}") ==
        "scenario.yaml:5: engine.speculative.draft_model: only method draft_model has a draft model");
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
  CHECK(error("{method: ngram, num_speculative_tokens: 1, acceptance: [0.5], tree: 3}").find("unknown key") !=
        std::string::npos);
}
