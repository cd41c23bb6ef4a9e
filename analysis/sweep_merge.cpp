#include "analysis/sweep_merge.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <system_error>

#include "analysis/sweep_manifest.h"
#include "analysis/text_files.h"
#include "core/content_digest.h"
#include "core/input_error.h"

namespace llmsim::analysis {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

Json parse_json_file(const std::string& path) {
  try {
    return Json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& error) {
    throw core::InputError(path, 0, "", std::string("not valid JSON: ") + error.what());
  }
}

bool is_shard_manifest(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.rfind("sweep.shard-", 0) == 0 && path.extension() == ".json";
}

struct LoadedShard {
  std::string file;
  std::string folder;  ///< where its points/ live
  SweepManifest manifest;
};

std::vector<std::string> manifest_files(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (is_folder(input)) {
      std::vector<std::string> found;
      std::error_code error;
      for (fs::directory_iterator it(input, error), end; !error && it != end; it.increment(error)) {
        std::error_code type_error;
        if (it->is_regular_file(type_error) && is_shard_manifest(it->path())) found.push_back(it->path().string());
      }
      if (error) throw core::InputError(input, 0, "", "cannot read the folder: " + error.message());
      if (found.empty()) throw core::InputError(input, 0, "", "no sweep.shard-*-of-*.json in this folder");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(input);
    }
  }
  return files;
}

void check_same_sweep(const LoadedShard& first, const LoadedShard& other) {
  const SweepManifest& a = first.manifest;
  const SweepManifest& b = other.manifest;
  const auto mismatch = [&](const char* what) {
    throw core::InputError(other.file, 0, what, std::string("differs from ") + first.file + ": not the same sweep");
  };
  if (a.scenario != b.scenario) mismatch("scenario");
  if (a.scenario_digest != b.scenario_digest) {
    throw core::InputError(other.file, 0, "scenario_digest",
                           "differs from " + first.file + ": the scenario file " + a.scenario +
                               " changed between the shards, so they are not the same sweep");
  }
  if (a.set_overrides != b.set_overrides) mismatch("set");
  if (a.keys != b.keys) mismatch("keys");
  if (a.grid_digest != b.grid_digest) {
    throw core::InputError(other.file, 0, "grid_digest",
                           "differs from " + first.file + ": the shards ran different grids (other values)");
  }
  if (a.points_total != b.points_total) mismatch("points_total");
  if (a.shard->count != b.shard->count) mismatch("shard.count");
}

}  // namespace

MergeOutcome merge_sweep_shards(const std::vector<std::string>& inputs, const std::string& out_dir,
                                const std::string& write_dir) {
  std::vector<LoadedShard> shards;
  for (const std::string& file : manifest_files(inputs)) {
    LoadedShard shard{file, fs::path(file).parent_path().string(), parse_manifest(parse_json_file(file), file)};
    if (!shard.manifest.shard) throw core::InputError(file, 0, "shard", "missing: not a shard manifest");
    shards.push_back(std::move(shard));
  }
  if (shards.empty()) throw core::InputError("merge: no shard manifests given");
  const std::int64_t count = shards.front().manifest.shard->count;
  std::map<std::int64_t, const LoadedShard*> by_index;
  for (const LoadedShard& shard : shards) {
    check_same_sweep(shards.front(), shard);
    const std::int64_t index = shard.manifest.shard->index;
    if (!by_index.emplace(index, &shard).second) {
      throw core::InputError(shard.file, 0, "shard", "shard " + std::to_string(index) + "/" + std::to_string(count) +
                                                         " is also in " + by_index.at(index)->file);
    }
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (by_index.count(i) == 0) {
      throw core::InputError("merge: shard " + std::to_string(i) + "/" + std::to_string(count) +
                             " is missing (expected " + shard_file_stem(Shard{i, count}) + ".json)");
    }
  }

  const SweepManifest& first = shards.front().manifest;
  SweepManifest merged;
  merged.scenario = first.scenario;
  merged.scenario_digest = first.scenario_digest;
  merged.set_overrides = first.set_overrides;
  merged.keys = first.keys;
  merged.grid_digest = first.grid_digest;
  merged.points_total = first.points_total;
  struct Located {
    SweepPoint point;
    PointOutcome outcome;
    const LoadedShard* shard;
  };
  std::vector<Located> points;
  for (const auto& [index, shard] : by_index) {
    for (std::size_t i = 0; i < shard->manifest.points.size(); ++i) {
      points.push_back(Located{shard->manifest.points[i], shard->manifest.outcomes[i], shard});
    }
  }
  std::sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.point.index < b.point.index; });
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].point.index != static_cast<std::int64_t>(i)) {
      throw core::InputError("merge: the shards do not cover point " + std::to_string(i) + " exactly once");
    }
  }
  if (static_cast<std::int64_t>(points.size()) != merged.points_total) {
    throw core::InputError("merge: the shards hold " + std::to_string(points.size()) + " points, the sweep has " +
                           std::to_string(merged.points_total));
  }
  std::vector<SweepPoint> grid;
  grid.reserve(points.size());
  for (const Located& p : points) grid.push_back(p.point);
  if (grid_digest(merged.keys, grid) != merged.grid_digest) {
    throw core::InputError(shards.front().file, 0, "grid_digest",
                           "the points' settings in the shard manifests do not make the grid they name: a manifest "
                           "was edited, or its points come from another sweep");
  }

  MergeOutcome outcome{count, merged.points_total, 0, ""};
  std::vector<Json> summaries;
  for (const Located& p : points) {
    merged.points.push_back(p.point);
    merged.outcomes.push_back(p.outcome);
    if (!p.outcome.ok) {
      if (outcome.failed_points == 0) outcome.first_failure = p.outcome.error;
      ++outcome.failed_points;
      summaries.emplace_back(Json::object());
      continue;
    }
    const std::string relative = point_folder(p.point.index, merged.points_total) + "/summary.json";
    const fs::path source = fs::path(p.shard->folder) / relative;
    const std::string text = read_text_file(source.string());
    if (core::digest_hex(text) != p.outcome.summary_digest) {
      throw core::InputError(source.string(), 0, "",
                             "does not match " + p.shard->file + " (point " + std::to_string(p.point.index) +
                                 ": summary_digest differs): a summary of another sweep or run, or edited");
    }
    try {
      summaries.push_back(Json::parse(text));
    } catch (const nlohmann::json::exception& error) {
      throw core::InputError(source.string(), 0, "", std::string("not valid JSON: ") + error.what());
    }
    const fs::path target = fs::path(out_dir) / relative;
    std::error_code same_error;
    if (!fs::exists(target, same_error) || !fs::equivalent(source, target, same_error)) {
      write_text_file((fs::path(write_dir) / relative).string(), text);
    }
  }
  write_text_file((fs::path(write_dir) / "sweep.json").string(), manifest_json(merged).dump(2) + "\n");
  write_text_file((fs::path(write_dir) / "sweep.csv").string(), sweep_csv_text(merged, summaries));
  return outcome;
}

}  // namespace llmsim::analysis
