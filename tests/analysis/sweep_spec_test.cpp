// Sweep grids, sweep files and shards.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "analysis/sweep_spec.h"
#include "core/input_error.h"
#include "tests/temp_folder.h"

namespace {

using namespace llmsim::analysis;

std::string values_of(const SweepPoint& point) {
  std::string text;
  for (const auto& s : point.settings) text += s.key_path + "=" + s.value + " ";
  return text;
}

}  // namespace

TEST_CASE("grid axes multiply row-major with the first axis varying slowest") {
  const SweepSpec spec = cartesian_sweep({parse_grid_axis("a=1,2"), parse_grid_axis("b.c=x,y,z")});
  REQUIRE(spec.points.size() == 6);
  CHECK(spec.keys == std::vector<std::string>{"a", "b.c"});
  CHECK(values_of(spec.points[0]) == "a=1 b.c=x ");
  CHECK(values_of(spec.points[2]) == "a=1 b.c=z ");
  CHECK(values_of(spec.points[3]) == "a=2 b.c=x ");
  CHECK(spec.points[5].index == 5);
  CHECK(spec.points[5].origin == "--grid");
}

TEST_CASE("grid values keep commas inside brackets and quotes") {
  const GridAxis axis = parse_grid_axis("k=[1, 2], 3 ,\"a,b\"");
  CHECK(axis.values == std::vector<std::string>{"[1, 2]", "3", "\"a,b\""});
}

TEST_CASE("malformed grids and a key swept twice are input errors") {
  CHECK_THROWS_AS(parse_grid_axis("no-equals"), llmsim::core::InputError);
  CHECK_THROWS_AS(parse_grid_axis("=1,2"), llmsim::core::InputError);
  CHECK_THROWS_AS(parse_grid_axis("k=1,,2"), llmsim::core::InputError);
  CHECK_THROWS_WITH_AS(cartesian_sweep({parse_grid_axis("k=1"), parse_grid_axis("k=2")}),
                       "--grid k: the key is swept twice", llmsim::core::InputError);
}

TEST_CASE("shards interleave the points and cover each exactly once") {
  const SweepSpec spec = cartesian_sweep({parse_grid_axis("k=0,1,2,3,4,5,6")});
  const auto indices = [&](Shard shard) {
    std::vector<std::int64_t> out;
    for (const SweepPoint& p : shard_points(spec, shard)) out.push_back(p.index);
    return out;
  };
  CHECK(indices(parse_shard("0/3")) == std::vector<std::int64_t>{0, 3, 6});
  CHECK(indices(parse_shard("1/3")) == std::vector<std::int64_t>{1, 4});
  CHECK(indices(parse_shard("2/3")) == std::vector<std::int64_t>{2, 5});
  CHECK(indices(parse_shard("0/1")).size() == 7);
}

TEST_CASE("a shard outside 0 <= i < n is an input error naming --shard") {
  for (const char* bad : {"3/3", "-1/3", "1", "a/2", "1/0", "1/2x"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(parse_shard(bad), llmsim::core::InputError);
  }
}

TEST_CASE("a sweep file row is a point whose origin is its line, and an empty cell leaves a key unset") {
  const auto path = llmsim::testing::process_temp_folder() / "sweep-file.csv";
  std::ofstream(path) << "workload.arrival.rate_per_s,engine.max_num_seqs\n5,64\n\n10,\n";
  const SweepSpec spec = read_sweep_file(path.string());
  REQUIRE(spec.points.size() == 2);
  CHECK(values_of(spec.points[0]) == "workload.arrival.rate_per_s=5 engine.max_num_seqs=64 ");
  CHECK(values_of(spec.points[1]) == "workload.arrival.rate_per_s=10 ");
  CHECK(spec.points[1].origin == path.string() + ":4");
  std::filesystem::remove(path);
}
