// ResultFolder: a results folder (--out) that is whole or absent (issue 22).
//
// A run writes its files into a private staging folder next to the results folder,
// `.<name>.partial-<pid>-<n>`, and commit() puts them in place. Two ways:
//
// Replace (run, an unsharded sweep): the staging folder takes the results folder's place in
// one step (renameat2 RENAME_EXCHANGE where the folder already exists, then the old files are
// removed; a plain rename where it does not). So:
//   - a run that fails, is interrupted or runs out of space leaves the previous results as
//     they were, and no file under the results folder's name that looks complete;
//   - the files of a new run never sit beside stale files of an older one (an old
//     requests.csv next to a new summary.json);
//   - two runs into one folder at a time are refused: the second finds the first's lock, an
//     exclusive flock on the hidden sibling `.<name>.lock` (released by the kernel when a
//     process dies, so a killed run never blocks the next; the file itself stays, empty).
// commit() also writes the manifest kManifestName: every committed file with its size and
// content digest (core/content_digest.h), and a run id (the digest of that list), so that
// `report` reads only files of the run that wrote the folder (check_files_of_one_run).
//
// Add (a sweep shard, merge): several writers add their own files to one folder, as the
// shards of a sweep on a cluster do at the same time. Each takes a shared flock on
// `.<name>.lock` (so no replacing run is under way) and an exclusive one on
// `.<name>.<part>.lock` (so one part is never written twice at once). commit() first removes
// the AddPlan's stale names, then moves the staged files in one rename each, and the file
// AddPlan::last after all others: once that file is there, so is the rest. A writer that
// fails or is killed before then leaves its part absent (its marker gone), never a marker
// beside half of its files.
//
// Either way, a results folder that already holds anything but llmsim's result files is
// refused rather than written into, so that --out never deletes a user's files. Staging
// folders of runs that were killed are removed by the next run that takes the lock.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace llmsim::app {

/// How an add-mode writer puts its files into a shared results folder.
struct AddPlan {
  std::string part;                       ///< what this writer adds ("sweep.shard-1-of-3"): names its lock
  std::vector<std::string> remove_first;  ///< names in the folder made stale by this part, removed first
  std::string last;                       ///< the staged file moved in last: the part's marker
};

class ResultFolder {
 public:
  /// Replace mode. Takes the lock and creates an empty staging folder. Throws
  /// core::InputError naming --out when the folder is locked by another run, holds files that
  /// are not results, is not a folder, or the staging folder cannot be created.
  explicit ResultFolder(std::string folder);
  /// Add mode, as the header comment says; throws as the replace-mode constructor.
  ResultFolder(std::string folder, AddPlan plan);
  ResultFolder(const ResultFolder&) = delete;
  ResultFolder& operator=(const ResultFolder&) = delete;
  /// Removes the staging folder unless commit() put it in place; releases the locks.
  ~ResultFolder();

  /// Where the run writes its files until commit().
  const std::string& staging() const { return staging_; }
  /// `path` under staging() as it will be named once committed (for messages).
  std::string final_path(const std::string& path) const;
  /// Where to write `path` now: its place under staging() when it lies inside the results
  /// folder (--trace out/run/trace.json), else `path` itself.
  std::string staged_path(const std::string& path) const;
  /// Puts the staged files in place. Throws core::InputError naming --out when it cannot
  /// (replace: the previous results are then left as they were; add: this part is absent).
  /// Call once.
  void commit();

  /// The files a run or a sweep writes into its results folder. A folder holding only these
  /// (a sweep's points/ folder included), partial files, and the files its kManifestName
  /// lists may be replaced or added to.
  static const std::vector<std::string>& result_file_names();
  static constexpr const char* kManifestName = ".llmsim-results";

  /// Throws core::InputError naming the file unless each of `names` (paths relative to
  /// `folder`) that exists there is a regular file that the folder's manifest lists with the
  /// digest of its bytes: files written by the one run that committed the folder. A folder
  /// without a manifest is refused (written by an older llmsim, or assembled by hand).
  static void check_files_of_one_run(const std::string& folder, const std::vector<std::string>& names);

 private:
  void take_locks();
  void commit_replace();
  void commit_add();

  std::string folder_;
  std::optional<AddPlan> add_;
  std::string staging_;
  int lock_fd_ = -1;
  int part_lock_fd_ = -1;
  bool committed_ = false;
};

}  // namespace llmsim::app
