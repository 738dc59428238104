// `phas train`: the scaling classifier, trained on traces replayed through
// the production loop (train/dataset.h), validated leave-one-trace-out, and
// written as a model bundle (manifest.json + model.json + MODEL_CARD.md).
//
// The model reads the original 9 features only, so `POST /predict` and the
// original's clients keep working with it. XGBoost (multi:softprob, 3
// classes) through the C API, fixed seed, one thread, classes weighted by
// inverse frequency: the same inputs give the same bytes.
//
// Thread-safety: single-threaded use.
#ifndef PHAS_TRAIN_TRAINER_H_
#define PHAS_TRAIN_TRAINER_H_

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "model/pipeline.h"
#include "model/xgboost_booster.h"
#include "train/dataset.h"

namespace phas::train {

struct TrainOptions {
  int rounds = 80;      // Default: 80
  int max_depth = 4;    // Default: 4
  double eta = 0.2;     // Default: 0.2
  bool balance = true;  // weight classes by inverse frequency. Default: true
  // Extra weight on class 0 (scale up) and class 1 (scale down), on top of
  // balancing: under-provisioning costs more than a spare instance, so the
  // default leans towards scaling up and against scaling down.
  // Default: 4 and 0.5 (docs/training.md measures the trade-off).
  double up_weight = 4.0;
  double down_weight = 0.5;
};

struct ClassReport {
  // [actual][predicted]
  long confusion[3][3] = {};
  double precision(int c) const;
  double recall(int c) const;
  long support(int c) const;
  std::string ToText() const;
};

// The pipeline of the trained models: the 9 inputs, categories one-hot.
nlohmann::json TrainedPipeline();

Result<XgbBooster> TrainClassifier(const std::vector<Example>& data,
                                   const FeaturePipeline& p,
                                   const TrainOptions& o);

// Predicted class of each example.
Result<std::vector<int>> Classify(const XgbBooster& b,
                                  const std::vector<Example>& data,
                                  const FeaturePipeline& p);

// Leave one trace out: for each trace, a model trained on the others
// classifies it; the confusion matrices add up.
Result<ClassReport> LeaveOneTraceOut(
    const std::vector<Example>& data, int traces, const FeaturePipeline& p,
    const TrainOptions& o, const std::function<void(int)>& progress = nullptr);

// Writes model.json and manifest.json (with `card` as the manifest's card)
// into `dir`.
Status WriteBundle(const std::string& dir, const XgbBooster& b,
                   const nlohmann::json& card);

}  // namespace phas::train

#endif  // PHAS_TRAIN_TRAINER_H_
