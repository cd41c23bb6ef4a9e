#include "sim/metrics/result_file.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/input_error.h"
#include "sim/metrics/requests_csv.h"
#include "tests/temp_folder.h"

using llmsim::sim::RequestRecord;
using llmsim::sim::RequestsCsvFormatter;
using llmsim::sim::RequestsCsvStream;
using llmsim::sim::ResultFile;
namespace fs = std::filesystem;

namespace {

/// A fresh, empty folder in the test process's temp folder.
fs::path fresh_folder(const std::string& name) {
  const fs::path folder = llmsim::testing::process_temp_folder() / ("result-file-" + name);
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

std::string read(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

}  // namespace

TEST_CASE("a result file replaces the old one only when committed") {
  const fs::path folder = fresh_folder("commit");
  const fs::path path = folder / "summary.json";
  write_text(path, "old results");
  {
    ResultFile file(path.string());
    file.write("new ");
    file.write("results");
    CHECK(read(path) == "old results");  // the old file stays until commit
    CHECK(fs::exists(folder / "summary.json.partial"));
    file.commit();
  }
  CHECK(read(path) == "new results");
  CHECK_FALSE(fs::exists(folder / "summary.json.partial"));
  fs::remove_all(folder);
}

TEST_CASE("a result file that is not committed leaves the old file and no partial file") {
  const fs::path folder = fresh_folder("abandon");
  const fs::path path = folder / "requests.csv";
  write_text(path, "old rows");
  {
    ResultFile file(path.string());
    file.write("half of the new rows");
  }  // a run that throws part way destroys it uncommitted
  CHECK(read(path) == "old rows");
  CHECK_FALSE(fs::exists(folder / "requests.csv.partial"));
  fs::remove_all(folder);
}

TEST_CASE("a result file that cannot be created names its path") {
  const fs::path folder = fresh_folder("missing");
  const fs::path path = folder / "no such folder" / "summary.json";
  try {
    ResultFile file(path.string());
    FAIL("expected an InputError");
  } catch (const llmsim::core::InputError& error) {
    CHECK(std::string(error.what()).find(path.string()) != std::string::npos);
    CHECK(std::string(error.what()).find("cannot write the file") != std::string::npos);
  }
  fs::remove_all(folder);
}

TEST_CASE("a result file that cannot replace its target names the path and keeps the target") {
  const fs::path folder = fresh_folder("blocked");
  const fs::path path = folder / "requests.csv";
  fs::create_directories(path / "inside");  // a non-empty folder where the file should go
  ResultFile file(path.string());
  file.write("rows");
  CHECK_THROWS_AS(file.commit(), llmsim::core::InputError);
  CHECK(fs::is_directory(path / "inside"));
  fs::remove_all(folder);
}

TEST_CASE("a streamed requests file holds the header and every row, across chunk boundaries") {
  const fs::path folder = fresh_folder("stream");
  const fs::path path = folder / "requests.csv";
  const std::vector<std::string> pools = {"default", "needs, quotes"};
  // Enough rows to fill RequestsCsvFormatter::kChunkBytes more than twice.
  std::vector<RequestRecord> records;
  for (std::uint64_t id = 0; id < 60'000; ++id) {
    RequestRecord r;
    r.id = id;
    r.pool = static_cast<std::int32_t>(id % 2);
    r.replica = 0;
    r.arrival_ns = static_cast<std::int64_t>(id) * 123'456'789;
    r.input_tokens = 100 + static_cast<std::int64_t>(id % 977);
    records.push_back(r);
  }
  std::string expected;
  std::size_t chunks = 0;
  RequestsCsvFormatter formatter(pools, [&](std::string_view chunk) {
    expected.append(chunk);
    ++chunks;
  });
  for (const RequestRecord& r : records) formatter.add(r);
  formatter.flush();
  CHECK(chunks >= 3);  // full chunks, then the rest
  REQUIRE(expected.size() > 2 * RequestsCsvFormatter::kChunkBytes);

  RequestsCsvStream stream(path.string(), pools);
  for (const RequestRecord& r : records) stream.add(r);
  stream.commit();
  const std::string written = read(path);
  CHECK(written.size() == expected.size());
  CHECK(written == expected);
  CHECK(written.rfind("id,pool,replica,", 0) == 0);
  CHECK(written.find("\"needs, quotes\"") != std::string::npos);
  fs::remove_all(folder);
}
