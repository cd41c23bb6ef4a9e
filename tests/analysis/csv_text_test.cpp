// The CSV files llmsim writes come back field for field through analysis::parse_csv.
#include "analysis/csv_text.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "sim/metrics/result_writer.h"

using llmsim::analysis::csv_line;
using llmsim::analysis::parse_csv_table;

TEST_CASE("fields with commas, quotes, CR and LF round-trip through csv_line and parse_csv") {
  const std::vector<std::string> fields{"plain", "a,b", "say \"hi\"", "line\nbreak", "carriage\rreturn", ""};
  const auto table = parse_csv_table("h1,h2,h3,h4,h5,h6\n" + csv_line(fields) + "\n", "t.csv");
  REQUIRE(table.rows.size() == 1);
  CHECK(table.rows[0] == fields);
}

TEST_CASE("a pool name with a carriage return survives requests.csv (regression: it was written unquoted)") {
  // Scenario files only allow letters, digits, '_', '-' and '.', but scenarios built in code
  // take any name; parse_csv drops a bare CR, so the writer must quote it.
  llmsim::sim::RunResult result;
  result.pool_names = {"gen\rerator"};
  llmsim::sim::RequestRecord record;
  record.pool = 0;
  result.requests.push_back(record);
  const auto table = parse_csv_table(llmsim::sim::requests_csv_text(result), "requests.csv");
  REQUIRE(table.rows.size() == 1);
  CHECK(table.rows[0][static_cast<std::size_t>(table.column("pool"))] == "gen\rerator");
}
