// XgbBooster: RAII ownership of an XGBoost BoosterHandle (C API).
//
// Every C API call that returns -1 is turned into a Status carrying
// XGBGetLastError(), once, here. Used to load and validate model files, as the
// reference predictor the fast TreeEnsemble is checked against, and to train.
//
// Thread-safety: a booster may be used for prediction from one thread at a
// time; distinct boosters are independent.
#ifndef PHAS_MODEL_XGBOOST_BOOSTER_H_
#define PHAS_MODEL_XGBOOST_BOOSTER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace phas {

// A dense float matrix owned by XGBoost (DMatrixHandle), with labels.
class XgbMatrix {
 public:
  // rows x cols, row-major. NaN marks a missing value.
  static Result<XgbMatrix> FromDense(const std::vector<float>& data,
                                     size_t rows, size_t cols);
  Status SetLabels(const std::vector<float>& labels);
  Status SetWeights(const std::vector<float>& weights);
  void* handle() const { return handle_.get(); }

 private:
  std::shared_ptr<void> handle_;
};

class XgbBooster {
 public:
  // Loads a JSON model file, once CheckXgboostModel
  // (model/xgboost_model_check.h) found nothing XGBoost would crash or hang
  // on; XGBoost is given the document checked. A file that is not such a
  // model (UBJSON and the legacy binary format included) is InvalidArgument
  // naming the file and what is wrong.
  static Result<XgbBooster> LoadFromFile(const std::string& path);

  // Trains `rounds` boosting rounds on `train` with string parameters as
  // XGBoost's learning API takes them ("objective", "max_depth", "seed" ...).
  static Result<XgbBooster> Train(
      const XgbMatrix& train, const std::map<std::string, std::string>& params,
      int rounds);

  // The model as XGBoost's JSON document.
  Result<std::string> SaveJson() const;
  // The same document in Universal Binary JSON: the numbers are written as
  // their bytes, not as text, so writing and reading it back costs ~5x less
  // (what a forecaster refitted every few hours pays).
  Result<std::string> SaveUbjson() const;
  Status SaveToFile(const std::string& path) const;

  // Number of input features the model expects.
  Result<uint64_t> NumFeatures() const;

  // Predicts `rows` rows of `cols` floats (row-major) with the model's output
  // transform (probabilities for classifiers). Returns rows * outputs values.
  Result<std::vector<float>> PredictDense(const float* data, size_t rows,
                                          size_t cols) const;

 private:
  explicit XgbBooster(void* handle);
  std::shared_ptr<void> handle_;
};

// Last error text of the XGBoost C API, as XgbErrorMessage gives it.
std::string XgbLastError();
// What an XGBoost error message says is wrong, on one line: its lines
// before the stack trace, without the time and source location prefix.
std::string XgbErrorMessage(std::string_view text);

}  // namespace phas

#endif  // PHAS_MODEL_XGBOOST_BOOSTER_H_
