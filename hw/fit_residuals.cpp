#include "hw/fit_residuals.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "hw/efficiency_fit.h"

namespace llmsim::hw {

ResidualSummary summarize_errors(const std::string& label, const std::vector<double>& errors,
                                 const std::vector<std::string>& where) {
  ResidualSummary summary;
  summary.label = label;
  summary.count = errors.size();
  if (errors.empty()) return summary;
  std::vector<double> magnitudes;
  std::size_t worst = 0;
  std::size_t over = 0;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    magnitudes.push_back(std::fabs(errors[i]));
    if (magnitudes[i] > magnitudes[worst]) worst = i;
    if (magnitudes[i] > 0.25) ++over;
  }
  std::sort(magnitudes.begin(), magnitudes.end());
  const std::size_t n = magnitudes.size();
  summary.median_abs_error =
      n % 2 == 1 ? magnitudes[n / 2] : 0.5 * (magnitudes[n / 2 - 1] + magnitudes[n / 2]);
  summary.worst_error = errors[worst];
  summary.worst_where = where.at(worst);
  summary.share_over_25_percent = static_cast<double>(over) / static_cast<double>(n);
  return summary;
}

std::string describe_sample(const ProfileSample& sample) {
  std::string text = sample.model.empty() ? std::string() : sample.model + " ";
  text += "tp " + std::to_string(sample.tensor_parallel);
  if (sample.work.op == Operator::allreduce) {
    return text + " bytes " + std::to_string(sample.tokens);
  }
  if (sample.groups > 0) {
    text += " groups " + std::to_string(sample.groups) + " x rows " + std::to_string(sample.tokens);
  } else if (sample.work.op == Operator::attention_decode) {
    text += " seqs " + std::to_string(sample.tokens);
  } else {
    text += " tokens " + std::to_string(sample.tokens);
  }
  if (sample.work.op == Operator::attention_prefill || sample.work.op == Operator::attention_decode) {
    text += " context " + std::to_string(sample.context);
  }
  return text;
}

std::vector<ResidualSummary> residuals_by_operator(const std::vector<ProfileSample>& samples,
                                                   const HardwareSpec& hardware) {
  std::vector<std::string> order;
  std::map<std::string, std::pair<std::vector<double>, std::vector<std::string>>> by_op;
  for (const ProfileSample& s : samples) {
    auto [it, inserted] = by_op.try_emplace(s.name);
    if (inserted) order.push_back(s.name);
    it->second.first.push_back(predict_sample_s(s, hardware) / s.measured_s - 1.0);
    it->second.second.push_back(describe_sample(s));
  }
  std::vector<ResidualSummary> out;
  out.reserve(order.size());
  for (const std::string& op : order) {
    out.push_back(summarize_errors(op, by_op[op].first, by_op[op].second));
  }
  return out;
}

ResidualSummary layer_residuals(const std::vector<ProfileSample>& samples,
                                const HardwareSpec& hardware, const std::string& label) {
  struct Layer {
    double predicted_s = 0.0;
    double measured_s = 0.0;
    int gemms = 0;
    std::string where;
  };
  using Key = std::tuple<std::string, std::string, int, std::int64_t>;
  std::map<Key, Layer> layers;
  std::vector<Key> order;
  for (const ProfileSample& s : samples) {
    if (s.work.op != Operator::gemm && s.work.op != Operator::elementwise) continue;
    if (s.groups > 0) continue;  // a grouped-GEMM benchmark row is no layer's
    const Key key{s.source, s.model, s.tensor_parallel, s.tokens};
    auto [it, inserted] = layers.try_emplace(key);
    if (inserted) {
      order.push_back(key);
      it->second.where = describe_sample(s);
    }
    it->second.predicted_s += predict_sample_s(s, hardware);
    it->second.measured_s += s.measured_s;
    if (s.work.op == Operator::gemm) ++it->second.gemms;
  }
  std::vector<double> errors;
  std::vector<std::string> where;
  for (const Key& key : order) {
    const Layer& layer = layers[key];
    if (layer.gemms < 4) continue;
    errors.push_back(layer.predicted_s / layer.measured_s - 1.0);
    where.push_back(layer.where);
  }
  return summarize_errors(label, errors, where);
}

}  // namespace llmsim::hw
