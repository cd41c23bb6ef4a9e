// sweep.json manifests and the sweep.csv table.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "analysis/sweep_manifest.h"
#include "core/content_digest.h"
#include "core/input_error.h"

namespace {

using namespace llmsim::analysis;
using Json = nlohmann::ordered_json;

SweepManifest two_point_manifest() {
  SweepManifest m;
  m.scenario = "configs/scenarios/overload.yaml";
  m.set_overrides = {"workload.num_requests=100"};
  m.keys = {"workload.arrival.rate_per_s"};
  m.points_total = 2;
  m.points = cartesian_sweep({parse_grid_axis("workload.arrival.rate_per_s=5,10")}).points;
  m.scenario_digest = llmsim::core::digest_hex("scenario text");
  m.grid_digest = grid_digest(m.keys, m.points);
  m.outcomes = {PointOutcome{true, "", llmsim::core::digest_hex("summary 0")},
                PointOutcome{true, "", llmsim::core::digest_hex("summary 1")}};
  return m;
}

}  // namespace

TEST_CASE("point folders are zero padded to at least four digits") {
  CHECK(point_folder(7, 10) == "points/0007");
  CHECK(point_folder(12345, 20000) == "points/12345");
  CHECK(point_folder(3, 100000) == "points/00003");
  CHECK(shard_file_stem(Shard{2, 8}) == "sweep.shard-2-of-8");
}

TEST_CASE("sweep.csv has the swept values then the summary leaves, arrays left out") {
  const Json a = Json::parse(R"({"completed": 3, "duration": 1.5, "goodput": {"slo_attainment": null},
                                 "scenario": {"model": "m,1", "pools": [{"name": "x"}]}})");
  const Json b = Json::parse(R"({"completed": 4, "duration": 2.25, "goodput": {"slo_attainment": 0.5},
                                 "scenario": {"model": "m,1", "pools": []}, "extra": true})");
  CHECK(sweep_csv_text(two_point_manifest(), {a, b}) ==
        "point,workload.arrival.rate_per_s,status,error,completed,duration,goodput.slo_attainment,scenario.model,"
        "extra\n"
        "0,5,ok,,3,1.5,,\"m,1\",\n"
        "1,10,ok,,4,2.25,0.5,\"m,1\",true\n");
}

TEST_CASE("a manifest reads back as written") {
  SweepManifest m = two_point_manifest();
  m.shard = Shard{1, 2};
  const Json json = manifest_json(m);
  const SweepManifest back = parse_manifest(json, "sweep.json");
  CHECK(back.scenario == m.scenario);
  CHECK(back.set_overrides == m.set_overrides);
  CHECK(back.keys == m.keys);
  CHECK(back.points_total == 2);
  REQUIRE(back.shard.has_value());
  CHECK(back.shard->index == 1);
  CHECK(back.shard->count == 2);
  REQUIRE(back.points.size() == 2);
  CHECK(back.points[1].settings[0].value == "10");
  CHECK(json["points"][1]["dir"] == "points/0001");
}

TEST_CASE("a failed point is a row with status failed, its reason and empty summary cells; it reads back") {
  SweepManifest m = two_point_manifest();
  m.outcomes[0] = PointOutcome{false, "quickstart.yaml:0: model: does not fit, at x", ""};
  const Json a = Json::object();
  const Json b = Json::parse(R"({"completed": 4})");
  CHECK(sweep_csv_text(m, {a, b}) ==
        "point,workload.arrival.rate_per_s,status,error,completed\n"
        "0,5,failed,\"quickstart.yaml:0: model: does not fit, at x\",\n"
        "1,10,ok,,4\n");
  const SweepManifest back = parse_manifest(manifest_json(m), "sweep.json");
  REQUIRE(back.outcomes.size() == 2);
  CHECK_FALSE(back.outcomes[0].ok);
  CHECK(back.outcomes[0].error == m.outcomes[0].error);
  CHECK(back.outcomes[1].ok);
  CHECK(back.outcomes[1].summary_digest == m.outcomes[1].summary_digest);
  CHECK(back.scenario_digest == m.scenario_digest);
  CHECK(back.grid_digest == m.grid_digest);
}

TEST_CASE("the grid digest tells grids apart by their values, not by where the points came from") {
  const auto points = [](const char* axis) { return cartesian_sweep({parse_grid_axis(axis)}).points; };
  const std::vector<std::string> keys{"workload.arrival.rate_per_s"};
  const std::string five_ten = grid_digest(keys, points("workload.arrival.rate_per_s=5,10"));
  CHECK(five_ten.size() == 16);
  CHECK(grid_digest(keys, points("workload.arrival.rate_per_s=5,10")) == five_ten);
  CHECK(grid_digest(keys, points("workload.arrival.rate_per_s=5,11")) != five_ten);
  CHECK(grid_digest(keys, points("workload.arrival.rate_per_s=10,5")) != five_ten);
  std::vector<SweepPoint> elsewhere = points("workload.arrival.rate_per_s=5,10");
  for (SweepPoint& p : elsewhere) p.origin = "other.csv:2";
  CHECK(grid_digest(keys, elsewhere) == five_ten);
}

TEST_CASE("a manifest without the issue-22 digests, or with a bad status, is refused") {
  Json json = manifest_json(two_point_manifest());
  json.erase("grid_digest");
  CHECK_THROWS_WITH_AS(parse_manifest(json, "sweep.json"),
                       "sweep.json: grid_digest: missing: written by an llmsim older than the sweep digests (issue "
                       "22), or edited; run the sweep again",
                       llmsim::core::InputError);
  json = manifest_json(two_point_manifest());
  json["points"][1]["status"] = "maybe";
  CHECK_THROWS_AS(parse_manifest(json, "sweep.json"), llmsim::core::InputError);
  json = manifest_json(two_point_manifest());
  json["points"][0]["summary_digest"] = "xyz";
  CHECK_THROWS_AS(parse_manifest(json, "sweep.json"), llmsim::core::InputError);
}

// Regression (CI fuzz, stop 32): a point index of 1.44e+110 reached nlohmann's float-to-integer
// cast, whose overflow is undefined behaviour; 1.5 was silently truncated to 1.
TEST_CASE("integer fields of a manifest take JSON integers in range, never floats") {
  Json json = manifest_json(two_point_manifest());
  json["points"][0]["point"] = 1.44e110;
  CHECK_THROWS_WITH_AS(parse_manifest(json, "sweep.json"), "sweep.json: point: expected an integer",
                       llmsim::core::InputError);
  json = manifest_json(two_point_manifest());
  json["points_total"] = 2.0;
  CHECK_THROWS_AS(parse_manifest(json, "sweep.json"), llmsim::core::InputError);
  json = manifest_json(two_point_manifest());
  json["points_total"] = std::uint64_t{18446744073709551615ULL};
  CHECK_THROWS_WITH_AS(parse_manifest(json, "sweep.json"), "sweep.json: points_total: integer out of range",
                       llmsim::core::InputError);
  json = manifest_json(two_point_manifest());
  CHECK(parse_manifest(json, "sweep.json").points_total == 2);
}
