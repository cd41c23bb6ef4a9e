// configs/sweeps/speculative-concurrency.csv (issue 25): the shipped concurrency sweep of
// speculation on against off, run on the shipped draft-model scenario through the real
// binary. docs/speculative-decoding.md quotes its numbers.
#include <doctest/doctest.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/cli/run_llmsim.h"

namespace {

using llmsim::testing::fresh_temp_dir;
using llmsim::testing::read_whole_file;
using llmsim::testing::run_llmsim;

/// The first `fields` comma-separated fields of each line of `text` after the header.
std::vector<std::vector<std::string>> leading_fields(const std::string& text, std::size_t fields) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> row;
    std::istringstream cells(line);
    std::string cell;
    while (row.size() < fields && std::getline(cells, cell, ',')) row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

/// points/NNNN/summary.json of sweep folder `out`.
nlohmann::json point_summary(const std::string& out, std::size_t point) {
  std::array<char, 8> name{};
  std::snprintf(name.data(), name.size(), "%04zu", point);
  return nlohmann::json::parse(read_whole_file(out + "/points/" + name.data() + "/summary.json"));
}

}  // namespace

TEST_CASE("the shipped concurrency sweep plots speculation on and off, and speculation stops paying as clients grow") {
  const std::string out = fresh_temp_dir("speculative-concurrency");
  const auto outcome = run_llmsim(
      "sweep configs/scenarios/speculative-draft-model.yaml --set workload.num_requests=512 "
      "--points configs/sweeps/speculative-concurrency.csv --quiet --report --out '" + out + "'");
  INFO(outcome.output);
  REQUIRE(outcome.exit_code == 0);
  const auto rows = leading_fields(read_whole_file(out + "/sweep.csv"), 4);
  REQUIRE(rows.size() % 2 == 0);
  REQUIRE(rows.size() >= 4);
  // Rows come in pairs: the same clients with enabled true, then false.
  std::vector<double> ratios;
  for (std::size_t r = 0; r < rows.size(); r += 2) {
    REQUIRE(rows[r].size() == 4);
    CHECK(rows[r][1] == rows[r + 1][1]);
    CHECK(rows[r][2] == "true");
    CHECK(rows[r + 1][2] == "false");
    CHECK(rows[r][3] == "ok");
    const nlohmann::json on = point_summary(out, r);
    const nlohmann::json off = point_summary(out, r + 1);
    CHECK(on.contains("speculative"));  // the "true" point speculates, the "false" one does not
    CHECK_FALSE(off.contains("speculative"));
    ratios.push_back(on.at("output_throughput").get<double>() / off.at("output_throughput").get<double>());
  }
  CHECK(ratios.front() > 1.2);  // one client: the drafts are nearly free
  CHECK(ratios.back() < 1.0);   // the most clients: the extra work costs more than it saves
  // The report draws one curve per value of enabled against the clients.
  const std::string report = read_whole_file(out + "/report.html");
  CHECK(report.find("enabled=true") != std::string::npos);
  CHECK(report.find("enabled=false") != std::string::npos);
}
