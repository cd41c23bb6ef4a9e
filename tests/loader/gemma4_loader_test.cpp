// Gemma 4 (model_type gemma4): refused, naming the key of the first feature llmsim cannot
// represent, never read as a plainer model (issue 23). The fixture is the conversion script's
// gemma-4-31b (tests/data/hf/README.md).
#include <doctest/doctest.h>

#include <string>

#include "core/input_error.h"
#include "loader/model_loader.h"
#include "tests/loader/config_edits.h"
#include "tests/loader/temp_files.h"

using llmsim::loader::load_model;
using llmsim::testing::error_of;
using llmsim::testing::file_text;
using llmsim::testing::replaced;
using llmsim::testing::write_temp_file;

namespace {

const std::string kFixture = std::string(LLMSIM_TEST_DATA_DIR) + "/hf/gemma-4-31b.config.json";

std::string fixture_text() {
  return file_text(kFixture);
}

}  // namespace

TEST_CASE("gemma-4-31b: refused at global_head_dim (512-wide full-attention heads beside 256-wide sliding ones)") {
  const auto error = error_of(kFixture);
  CHECK(error.key_path() == "global_head_dim");
  CHECK(error.line() == 18);  // the key's line in the fixture
  CHECK(std::string(error.what()).find("heads of 512 beside sliding layers with heads of 256") != std::string::npos);
  CHECK(std::string(error.what()).find("Gemma 4 is not modelled yet") != std::string::npos);
}

TEST_CASE("each further Gemma 4 feature is named when the ones before it are taken away") {
  std::string text = replaced(fixture_text(), R"("global_head_dim": 512,)", R"("global_head_dim": 256,)");
  CHECK(error_of(write_temp_file("gemma4_kv_heads.config.json", text)).key_path() == "num_global_key_value_heads");
  text = replaced(text, R"("num_global_key_value_heads": 4,)", "");
  CHECK(error_of(write_temp_file("gemma4_k_eq_v.config.json", text)).key_path() == "attention_k_eq_v");
  text = replaced(text, R"("attention_k_eq_v": true,)", R"("attention_k_eq_v": false,)");
  const std::string shared = replaced(text, R"("num_kv_shared_layers": 0,)", R"("num_kv_shared_layers": 20,)");
  CHECK(error_of(write_temp_file("gemma4_shared.config.json", shared)).key_path() == "num_kv_shared_layers");
  const std::string ple = replaced(text, R"("hidden_size_per_layer_input": 0,)", "");
  CHECK(error_of(write_temp_file("gemma4_ple.config.json", ple)).key_path() == "hidden_size_per_layer_input");
  const std::string moe = replaced(text, R"("enable_moe_block": false,)", R"("enable_moe_block": true,)");
  CHECK(error_of(write_temp_file("gemma4_moe.config.json", moe)).key_path() == "enable_moe_block");
  // Nothing left that Gemma 3's path could not hold: still refused, at model_type, since its
  // norms, softcapping and proportional RoPE are not checked against Gemma 3's.
  CHECK(error_of(write_temp_file("gemma4_plain.config.json", text)).key_path() == "model_type");
}

TEST_CASE("a gemma4_text file (the language model alone) and per_layer_config are refused the same way") {
  const std::string text = fixture_text();
  const std::size_t open = text.find('{', text.find("\"text_config\""));
  const std::size_t close = text.find("\n  }", open);
  REQUIRE(close != std::string::npos);
  const std::string alone = text.substr(open, close + 4 - open);
  CHECK(error_of(write_temp_file("gemma4_text.config.json", alone)).key_path() == "global_head_dim");
  const std::string per_layer = replaced(alone, R"("global_head_dim": 512,)",
                                         R"("per_layer_config": {"5": {"head_dim": 512}},)");
  CHECK(error_of(write_temp_file("gemma4_per_layer.config.json", per_layer)).key_path() == "per_layer_config");
}
