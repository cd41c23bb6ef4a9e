// CsvTable: comments, quoted fields holding commas, and a located error per malformed row.
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "core/input_error.h"
#include "hw/csv_table.h"
#include "tests/temp_folder.h"

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::filesystem::path path = llmsim::testing::process_temp_folder() / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("a quoted field keeps its commas and a doubled quote; comments are skipped") {
  const llmsim::hw::CsvTable table(write("quoted.csv",
                                         "# TensorRT-LLM's notation\n"
                                         "gpu,parallelism,note\n"
                                         "RTX,\"TP1,PP2\",plain\n"
                                         "H100,TP2,\"say \"\"hi\"\"\"\n"
                                         "B200,TP1,\n"));
  REQUIRE(table.rows() == 3);
  CHECK(table.text(0, "parallelism") == "TP1,PP2");
  CHECK(table.line(0) == 3);
  CHECK(table.text(1, "note") == "say \"hi\"");
  CHECK(table.text(2, "note").empty());
}

TEST_CASE("an unclosed quote or a wrong field count names the line") {
  try {
    llmsim::hw::CsvTable(write("open.csv", "a,b\n1,\"2\n"));
    FAIL("an open quote must be refused");
  } catch (const llmsim::core::InputError& e) {
    CHECK(e.line() == 2);
    CHECK(std::string(e.what()).find("quoted field is not closed") != std::string::npos);
  }
  CHECK_THROWS_AS(llmsim::hw::CsvTable(write("count.csv", "a,b\n1,\"2,3\",4\n")), llmsim::core::InputError);
}
