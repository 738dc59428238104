#include "train/trainer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/file_util.h"
#include "common/json_util.h"
#include "model/features.h"

namespace phas::train {
namespace {

using nlohmann::json;

Result<std::vector<float>> Encode(const std::vector<Example>& data,
                                  const FeaturePipeline& p) {
  std::vector<float> x(data.size() * p.num_columns());
  for (size_t i = 0; i < data.size(); ++i) {
    PHAS_ASSIGN_OR_RETURN(std::vector<InputValue> in,
                          FeaturesToInputs(data[i].features, p));
    p.Transform(in.data(), x.data() + i * p.num_columns());
  }
  return x;
}

}  // namespace

double ClassReport::precision(int c) const {
  long tp = confusion[c][c], predicted = 0;
  for (int a = 0; a < 3; ++a) predicted += confusion[a][c];
  return predicted ? static_cast<double>(tp) / predicted : 0;
}

double ClassReport::recall(int c) const {
  long s = support(c);
  return s ? static_cast<double>(confusion[c][c]) / s : 0;
}

long ClassReport::support(int c) const {
  long s = 0;
  for (int p = 0; p < 3; ++p) s += confusion[c][p];
  return s;
}

std::string ClassReport::ToText() const {
  const char* names[3] = {"0 scale up", "1 scale down", "2 hold"};
  std::string out = fmt::format("{:<14} {:>10} {:>8} {:>10}\n", "class",
                                "precision", "recall", "support");
  for (int c = 0; c < 3; ++c) {
    out += fmt::format("{:<14} {:>10.3f} {:>8.3f} {:>10}\n", names[c],
                       precision(c), recall(c), support(c));
  }
  return out;
}

json TrainedPipeline() {
  json inputs = OriginalInputsSpec();
  // Temporal inputs (model/features.h TemporalInputs), optional: a request
  // with the original 9 values leaves them missing.
  for (const char* n : kTemporalInputs) {
    inputs.push_back({{"name", n}, {"type", "number"}, {"optional", true}});
  }
  json columns = {"cpu_usage",
                  "memory_usage",
                  "network_traffic",
                  "power_consumption",
                  "num_executed_instructions",
                  "execution_time",
                  "energy_efficiency",
                  "task_type_network",
                  "task_type_io",
                  "task_priority_medium",
                  "task_priority_low"};
  for (const char* n : kTemporalInputs) columns.push_back(n);
  return {{"inputs", inputs},
          {"one_hot",
           json::array(
               {{{"source", "task_type"}, {"levels", {"network", "io"}}},
                {{"source", "task_priority"}, {"levels", {"medium", "low"}}}})},
          {"columns", columns}};
}

Result<XgbBooster> TrainClassifier(const std::vector<Example>& data,
                                   const FeaturePipeline& p,
                                   const TrainOptions& o) {
  if (data.empty()) return Status::InvalidArgument("no training examples");
  PHAS_ASSIGN_OR_RETURN(std::vector<float> x, Encode(data, p));
  std::vector<float> labels(data.size()), weights(data.size(), 1.0f);
  long count[3] = {0, 0, 0};
  for (const Example& e : data) ++count[e.label];
  for (size_t i = 0; i < data.size(); ++i) {
    labels[i] = static_cast<float>(data[i].label);
    if (o.balance && count[data[i].label] > 0) {
      weights[i] = static_cast<float>(static_cast<double>(data.size()) /
                                      (3.0 * count[data[i].label]));
    }
    if (data[i].label == 0) weights[i] *= static_cast<float>(o.up_weight);
    if (data[i].label == 1) weights[i] *= static_cast<float>(o.down_weight);
  }
  PHAS_ASSIGN_OR_RETURN(XgbMatrix m,
                        XgbMatrix::FromDense(x, data.size(), p.num_columns()));
  PHAS_RETURN_IF_ERROR(m.SetLabels(labels));
  PHAS_RETURN_IF_ERROR(m.SetWeights(weights));
  return XgbBooster::Train(m,
                           {{"objective", "multi:softprob"},
                            {"num_class", "3"},
                            {"max_depth", std::to_string(o.max_depth)},
                            {"eta", fmt::format("{}", o.eta)},
                            {"min_child_weight", "5"},
                            {"subsample", "1.0"},
                            {"tree_method", "hist"},
                            {"seed", "0"},
                            {"nthread", "1"}},
                           o.rounds);
}

Result<std::vector<int>> Classify(const XgbBooster& b,
                                  const std::vector<Example>& data,
                                  const FeaturePipeline& p) {
  PHAS_ASSIGN_OR_RETURN(std::vector<float> x, Encode(data, p));
  std::vector<int> out(data.size(), 2);
  if (data.empty()) return out;
  PHAS_ASSIGN_OR_RETURN(std::vector<float> prob,
                        b.PredictDense(x.data(), data.size(), p.num_columns()));
  for (size_t i = 0; i < data.size(); ++i) {
    const float* r = prob.data() + i * 3;
    out[i] = static_cast<int>(std::max_element(r, r + 3) - r);
  }
  return out;
}

Result<ClassReport> LeaveOneTraceOut(const std::vector<Example>& data,
                                     int traces, const FeaturePipeline& p,
                                     const TrainOptions& o,
                                     const std::function<void(int)>& progress) {
  ClassReport rep;
  for (int k = 0; k < traces; ++k) {
    std::vector<Example> train, test;
    for (const Example& e : data) (e.trace == k ? test : train).push_back(e);
    if (test.empty() || train.empty()) continue;
    if (progress) progress(k);
    PHAS_ASSIGN_OR_RETURN(XgbBooster b, TrainClassifier(train, p, o));
    PHAS_ASSIGN_OR_RETURN(std::vector<int> pred, Classify(b, test, p));
    for (size_t i = 0; i < test.size(); ++i)
      ++rep.confusion[test[i].label][pred[i]];
  }
  return rep;
}

Status WriteBundle(const std::string& dir, const XgbBooster& b,
                   const json& card) {
  PHAS_RETURN_IF_ERROR(MakeDirs(dir));
  PHAS_RETURN_IF_ERROR(b.SaveToFile(JoinPath(dir, "model.json")));
  json manifest = {
      {"format", "phas-model/1"},
      {"name", "phas-trained"},
      {"version", card.value("version", "1.0.0")},
      {"description",
       "Scaling classifier trained by `phas train` on traces replayed through "
       "the phas control "
       "loop; reads the original 9 features. See MODEL_CARD.md."},
      {"booster", "model.json"},
      {"classes", json::array({{{"label", "Low"}, {"action", "scale_up"}},
                               {{"label", "Medium"}, {"action", "scale_down"}},
                               {{"label", "High"}, {"action", "hold"}}})},
      {"pipeline", TrainedPipeline()},
      {"card", card},
  };
  // The card names the traces by their file names, which need not be UTF-8:
  // dump() would throw on them.
  return WriteFileAtomic(JoinPath(dir, "manifest.json"),
                         DumpJson(manifest, 1) + "\n");
}

}  // namespace phas::train
