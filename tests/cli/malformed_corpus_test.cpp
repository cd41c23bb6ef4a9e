// The malformed-input corpus (tests/malformed, issue 8): every case in cases.txt runs through the
// real llmsim binary and must stop with exit code 2 and one line that names file, line and key,
// writing nothing. Also checks the corpus itself: at least 50 cases, unique ids, and every file
// in the folder used by some case, so it cannot rot.
#include <doctest/doctest.h>

#include "tests/cli/run_llmsim.h"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const std::string kCorpusDir = "tests/malformed";

/// One line of cases.txt: `id | arguments | location | message part`.
struct MalformedCase {
  std::string id;
  std::string arguments;  ///< llmsim's arguments; "{out}" stands for a results folder
  std::string location;   ///< what the message starts with after "llmsim: "
  std::string message;    ///< a part of the rest of the message
  int manifest_line = 0;
};

std::string trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

/// Splits on " | " and keeps the spaces of the location field's end ("FILE:3: key: ").
std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = line.find(" | ", start);
    fields.push_back(line.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) return fields;
    start = bar + 3;
  }
}

std::vector<MalformedCase> read_manifest() {
  std::ifstream in(std::string(LLMSIM_SOURCE_DIR) + "/" + kCorpusDir + "/cases.txt");
  REQUIRE(in.good());
  std::vector<MalformedCase> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (trim(line).empty() || trim(line).front() == '#') continue;
    const std::vector<std::string> fields = split_fields(line);
    CAPTURE(number);
    CAPTURE(line);
    REQUIRE(fields.size() == 4);
    // The location keeps its trailing space ("file:3: key: "); a tab-free line is expected.
    std::string location = fields[2];
    location.erase(0, location.find_first_not_of(' '));
    cases.push_back({trim(fields[0]), trim(fields[1]), location, trim(fields[3]), number});
  }
  return cases;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the malformed-input corpus has at least 50 cases with unique ids and complete fields") {
  const std::vector<MalformedCase> cases = read_manifest();
  CHECK(cases.size() >= 50);
  std::set<std::string> ids;
  for (const MalformedCase& c : cases) {
    CAPTURE(c.manifest_line);
    CHECK(ids.insert(c.id).second);
    CHECK_FALSE(c.arguments.empty());
    CHECK_FALSE(c.message.empty());
    // A location is "FILE: ", "FILE:LINE: " or "FILE:LINE: KEY: ": it ends in ": ".
    CHECK(c.location.size() > 2);
    CHECK(c.location.substr(c.location.size() - 2) == ": ");
  }
}

TEST_CASE("every file in tests/malformed is used by some corpus case") {
  const std::vector<MalformedCase> cases = read_manifest();
  const fs::path folder = fs::path(LLMSIM_SOURCE_DIR) / kCorpusDir;
  // The corpus scenarios' text: a file they name (a good trace the cases replace) is used too.
  std::string scenarios;
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().extension() == ".yaml") scenarios += llmsim::testing::read_whole_file(entry.path().string());
  }
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name == "cases.txt") continue;
    ++files;
    const std::string path = kCorpusDir + "/" + name;
    const bool named_by_a_case = std::any_of(cases.begin(), cases.end(), [&](const MalformedCase& c) {
      return contains(c.arguments, path) || contains(c.arguments, "=" + name) || contains(c.location, path);
    });
    CAPTURE(path);
    CHECK((named_by_a_case || contains(scenarios, ": " + name)));
  }
  CHECK(files >= 50);
}

TEST_CASE("every malformed input exits 2 with one located message and writes nothing") {
  const std::vector<MalformedCase> cases = read_manifest();
  REQUIRE_FALSE(cases.empty());
  for (const MalformedCase& c : cases) {
    const std::string out_dir = llmsim::testing::fresh_temp_dir("malformed-" + c.id);
    const auto outcome = llmsim::testing::run_llmsim(replace_all(c.arguments, "{out}", out_dir));
    CAPTURE(c.id);
    CAPTURE(outcome.output);
    CHECK(outcome.exit_code == 2);
    // Exactly one line, "llmsim: LOCATION MESSAGE\n".
    CHECK(std::count(outcome.output.begin(), outcome.output.end(), '\n') == 1);
    CHECK(!outcome.output.empty());
    CHECK(outcome.output.back() == '\n');
    const std::string expected_start = "llmsim: " + c.location;
    CHECK(outcome.output.compare(0, expected_start.size(), expected_start) == 0);
    CHECK(contains(outcome.output.substr(std::min(expected_start.size(), outcome.output.size())), c.message));
    // Neither a crash nor a sanitizer report, and no results folder.
    for (const char* crash : {"terminate called", "Assertion", "Sanitizer", "runtime error:", "Aborted",
                              "invariant broken", "invariant violated"}) {
      CHECK_FALSE(contains(outcome.output, crash));
    }
    CHECK_FALSE(fs::exists(out_dir));
  }
}
