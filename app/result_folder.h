// ResultFolder: a results folder (--out) that is whole or absent (issue 22).
//
// A run writes its files into a private staging folder next to the results folder,
// `.<name>.partial-<pid>-<n>`, and commit() puts the staging folder in the results
// folder's place in one step (renameat2 RENAME_EXCHANGE where the folder already exists,
// then the old files are removed; a plain rename where it does not). So:
//   - a run that fails, is interrupted or runs out of space leaves the previous results as
//     they were, and no file under the results folder's name that looks complete;
//   - the files of a new run never sit beside stale files of an older one (an old
//     requests.csv next to a new summary.json);
//   - two runs into one folder at a time are refused: the second finds the first's lock, an
//     flock on the hidden sibling `.<name>.lock` (released by the kernel when a process
//     dies, so a killed run never blocks the next; the file itself stays, empty).
// A results folder that already holds anything but llmsim's result files is refused rather
// than replaced, so that --out never deletes a user's files. Staging folders of runs that
// were killed are removed by the next run that takes the lock.
#pragma once

#include <string>
#include <vector>

namespace llmsim::app {

class ResultFolder {
 public:
  /// Takes the lock and creates an empty staging folder. Throws core::InputError naming
  /// --out when the folder is locked by another run, holds files that are not results,
  /// is not a folder, or the staging folder cannot be created.
  explicit ResultFolder(std::string folder);
  ResultFolder(const ResultFolder&) = delete;
  ResultFolder& operator=(const ResultFolder&) = delete;
  /// Removes the staging folder unless commit() put it in place; releases the lock.
  ~ResultFolder();

  /// Where the run writes its files until commit().
  const std::string& staging() const { return staging_; }
  /// `path` under staging() as it will be named once committed (for messages).
  std::string final_path(const std::string& path) const;
  /// Where to write `path` now: its place under staging() when it lies inside the results
  /// folder (--trace out/run/trace.json), else `path` itself.
  std::string staged_path(const std::string& path) const;
  /// Puts the staging folder in the results folder's place. Throws core::InputError naming
  /// --out when it cannot (the previous results are then left as they were). Call once.
  void commit();

  /// The files a run writes into its results folder. A folder holding only these, partial
  /// files, and the files its kManifestName lists (written by commit(): every file of the
  /// committed folder, such as a --trace file placed inside it) may be replaced.
  static const std::vector<std::string>& result_file_names();
  static constexpr const char* kManifestName = ".llmsim-results";

 private:
  std::string folder_;
  std::string staging_;
  int lock_fd_ = -1;
  bool committed_ = false;
};

}  // namespace llmsim::app
