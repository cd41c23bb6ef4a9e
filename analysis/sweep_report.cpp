#include "analysis/sweep_report.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>
#include <set>

#include "analysis/report_inputs.h"
#include "analysis/sweep_manifest.h"
#include "analysis/text_files.h"
#include "core/content_digest.h"
#include "core/input_error.h"

namespace llmsim::analysis {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::optional<double> parse_number(const std::string& text) {
  double value = 0.0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return value;
}

std::string setting(const SweepPoint& point, const std::string& key) {
  for (const loader::Override& s : point.settings) {
    if (s.key_path == key) return s.value;
  }
  return "";
}

/// The first key whose every value is a number and that takes at least two values.
std::optional<std::string> numeric_key(const SweepManifest& m) {
  for (const std::string& key : m.keys) {
    std::set<double> values;
    bool numeric = true;
    for (const SweepPoint& p : m.points) {
      const std::optional<double> v = parse_number(setting(p, key));
      if (!v) numeric = false;
      else values.insert(*v);
    }
    if (numeric && values.size() >= 2) return key;
  }
  return std::nullopt;
}

}  // namespace

void add_sweep_report(ReportPage& page, const std::string& dir) {
  const std::string manifest_path = (fs::path(dir) / "sweep.json").string();
  const SweepManifest m = parse_manifest(read_json_file(manifest_path), manifest_path);
  page.set_title("llmsim sweep: " + m.scenario);
  std::vector<Json> summaries;
  for (std::size_t i = 0; i < m.points.size(); ++i) {
    const PointOutcome& outcome = m.outcomes[i];
    if (!outcome.ok) {
      summaries.emplace_back(Json::object());  // a failed point: no summary, drawn as a gap
      continue;
    }
    // Issue 22: only the summaries sweep.json vouches for are read, not those of another sweep.
    const std::string path = (fs::path(dir) / point_folder(m.points[i].index, m.points_total) / "summary.json").string();
    const std::string text = read_text_file(path);
    if (core::digest_hex(text) != outcome.summary_digest) {
      throw core::InputError(path, 0, "",
                             "not the summary " + manifest_path + " lists for point " +
                                 std::to_string(m.points[i].index) + " (its bytes differ): a file of another sweep, "
                                 "or edited");
    }
    try {
      summaries.push_back(Json::parse(text));
    } catch (const nlohmann::json::exception& error) {
      throw core::InputError(path, 0, "", std::string("not valid JSON: ") + error.what());
    }
  }
  const std::optional<std::string> x_key = numeric_key(m);
  const auto x_of = [&](const SweepPoint& p) {
    return x_key ? *parse_number(setting(p, *x_key)) : static_cast<double>(p.index);
  };
  const auto group_of = [&](const SweepPoint& p) {
    std::string name;
    for (const std::string& key : m.keys) {
      if (x_key && key == *x_key) continue;
      name += (name.empty() ? "" : ", ") + key + "=" + setting(p, key);
    }
    return name;
  };
  std::vector<std::string> groups;  // first-seen order
  for (const SweepPoint& p : m.points) {
    const std::string g = group_of(p);
    bool seen = false;
    for (const std::string& existing : groups) seen = seen || existing == g;
    if (!seen) groups.push_back(g);
  }

  page.heading("Sweep");
  page.paragraph(std::to_string(m.points.size()) + " points of " + m.scenario + "; x axis: " +
                 (x_key ? *x_key : std::string("point index")) + ".");
  const auto chart = [&](const char* id, const std::string& title, const std::string& y_label,
                         const std::vector<std::pair<std::string, std::string>>& fields, const char* slo_path) {
    LineChart c;
    c.id = id;
    c.title = title;
    c.x_label = x_key ? *x_key : "point";
    c.y_label = y_label;
    for (const auto& [label, field] : fields) {
      for (const std::string& g : groups) {
        std::string name = label;
        if (!g.empty()) name.append(" (").append(g).append(")");
        ChartSeries s{name, {}};
        for (std::size_t i = 0; i < m.points.size(); ++i) {
          if (group_of(m.points[i]) != g) continue;
          if (const std::optional<double> y = json_number(summaries[i], field)) s.points.emplace_back(x_of(m.points[i]), *y);
        }
        std::sort(s.points.begin(), s.points.end());
        c.series.push_back(std::move(s));
      }
    }
    if (slo_path != nullptr && !summaries.empty()) {
      if (const std::optional<double> slo = json_number(summaries.front(), slo_path)) {
        c.lines.push_back(ReferenceLine{false, *slo, "SLO " + short_number(*slo)});
      }
    }
    page.chart(c);
  };
  chart("sweep-ttft", "TTFT", "ms", {{"p99", "p99_ttft_ms"}, {"median", "median_ttft_ms"}}, "goodput.slo.ttft_ms");
  chart("sweep-tpot", "TPOT", "ms", {{"p99", "p99_tpot_ms"}, {"median", "median_tpot_ms"}}, "goodput.slo.tpot_ms");
  chart("sweep-e2el", "E2E latency", "ms", {{"p99", "p99_e2el_ms"}, {"median", "median_e2el_ms"}}, "goodput.slo.e2el_ms");
  chart("sweep-throughput", "Output throughput", "tokens/s", {{"output", "output_throughput"}}, nullptr);
  chart("sweep-goodput", "Goodput (requests/s meeting every SLO)", "requests/s",
        {{"goodput", "goodput.goodput_requests_per_s"}, {"request throughput", "request_throughput"}}, nullptr);

  std::vector<std::string> header{"point"};
  header.insert(header.end(), m.keys.begin(), m.keys.end());
  for (const char* h : {"req/s", "output tok/s", "p99 TTFT ms", "p99 TPOT ms", "SLO attainment"}) header.push_back(h);
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < m.points.size(); ++i) {
    std::vector<std::string> row{std::to_string(m.points[i].index)};
    for (const std::string& key : m.keys) row.push_back(setting(m.points[i], key));
    for (const char* field : {"request_throughput", "output_throughput", "p99_ttft_ms", "p99_tpot_ms",
                              "goodput.slo_attainment"}) {
      const std::optional<double> v = json_number(summaries[i], field);
      row.push_back(v ? short_number(*v) : "-");
    }
    rows.push_back(std::move(row));
  }
  page.table(header, rows);
}

}  // namespace llmsim::analysis
