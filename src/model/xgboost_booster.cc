#include "model/xgboost_booster.h"

#include <fmt/format.h>
#include <xgboost/c_api.h>

#include "common/file_util.h"
#include "model/xgboost_model_check.h"

namespace phas {

std::string XgbLastError() {
  const char* e = XGBGetLastError();
  return XgbErrorMessage(e && *e ? e : "unknown XGBoost error");
}

std::string XgbErrorMessage(std::string_view text) {
  // "[12:00:00] /src/learner.cc:1059: Check failed: ...\n<more>\nStack
  // trace:\n  [bt] (0) ...": what is wrong is in the lines before the stack
  // trace; the time and source location mean nothing to the reader.
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    size_t b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) continue;
    line = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    if (line.starts_with("Stack trace")) break;
    if (line.starts_with("[bt]")) continue;
    if (out.empty() && line.starts_with('[')) {
      // The time, then the source location ("file.cc:123: ").
      size_t loc = line.find(": ", line.find(']'));
      if (loc != std::string_view::npos) line = line.substr(loc + 2);
    }
    out += (out.empty() ? "" : " ") + std::string(line);
  }
  return out.empty() ? "unknown XGBoost error" : out;
}

namespace {

std::shared_ptr<void> OwnBooster(BoosterHandle h) {
  return std::shared_ptr<void>(h, [](void* p) {
    if (p) XGBoosterFree(p);
  });
}

Result<BoosterHandle> NewBooster(const DMatrixHandle* dmats, bst_ulong n) {
  BoosterHandle h = nullptr;
  if (XGBoosterCreate(dmats, n, &h) != 0) {
    return Status::Internal("XGBoosterCreate: " + XgbLastError());
  }
  // Single-threaded prediction: phas calls it per request from many threads.
  XGBoosterSetParam(h, "nthread", "1");
  return h;
}

}  // namespace

XgbBooster::XgbBooster(void* handle) : handle_(OwnBooster(handle)) {}

namespace {

// The model in `bytes`, as the text XGBoost is given, if it is one XGBoost
// can load without crashing. XGBoost reads the document checked, written
// again, not the bytes: its parser and nlohmann's differ where a file can
// play on it (a key twice: nlohmann keeps the last, XGBoost the first; a
// key spelt with \u escapes, which XGBoost does not decode).
Result<std::string> CheckedModel(const std::string& bytes) {
  PHAS_ASSIGN_OR_RETURN(nlohmann::json doc, ParseXgboostModel(bytes));
  PHAS_RETURN_IF_ERROR(CheckXgboostModel(doc));
  return doc.dump();
}

}  // namespace

Result<XgbBooster> XgbBooster::LoadFromFile(const std::string& path) {
  if (!FileExists(path)) {
    return Status::NotFound(path + ": no such model file");
  }
  PHAS_ASSIGN_OR_RETURN(std::string bytes, ReadRegularFile(path));
  const std::string bad = path + ": not a loadable XGBoost model";
  Result<std::string> checked = CheckedModel(bytes);
  if (!checked.ok()) return checked.status().WithContext(bad);
  PHAS_ASSIGN_OR_RETURN(BoosterHandle h, NewBooster(nullptr, 0));
  XgbBooster b(h);
  if (XGBoosterLoadModelFromBuffer(h, checked->data(), checked->size()) != 0) {
    return Status::InvalidArgument(bad + ": " + XgbLastError());
  }
  return b;
}

Result<XgbBooster> XgbBooster::Train(
    const XgbMatrix& train, const std::map<std::string, std::string>& params,
    int rounds) {
  DMatrixHandle dm = train.handle();
  PHAS_ASSIGN_OR_RETURN(BoosterHandle h, NewBooster(&dm, 1));
  XgbBooster b(h);
  for (const auto& [k, v] : params) {
    if (XGBoosterSetParam(h, k.c_str(), v.c_str()) != 0) {
      return Status::InvalidArgument("XGBoost parameter " + k + "=" + v + ": " +
                                     XgbLastError());
    }
  }
  for (int i = 0; i < rounds; ++i) {
    if (XGBoosterUpdateOneIter(h, i, dm) != 0) {
      return Status::Internal(
          fmt::format("XGBoost training round {}: {}", i, XgbLastError()));
    }
  }
  return b;
}

namespace {

Result<std::string> SaveToBuffer(BoosterHandle h, const char* config) {
  bst_ulong len = 0;
  const char* buf = nullptr;
  if (XGBoosterSaveModelToBuffer(h, config, &len, &buf) != 0) {
    return Status::Internal("XGBoosterSaveModelToBuffer: " + XgbLastError());
  }
  return std::string(buf, len);
}

}  // namespace

Result<std::string> XgbBooster::SaveJson() const {
  return SaveToBuffer(handle_.get(), R"({"format": "json"})");
}

Result<std::string> XgbBooster::SaveUbjson() const {
  return SaveToBuffer(handle_.get(), R"({"format": "ubj"})");
}

Status XgbBooster::SaveToFile(const std::string& path) const {
  PHAS_ASSIGN_OR_RETURN(std::string json, SaveJson());
  return WriteFileAtomic(path, json);
}

Result<uint64_t> XgbBooster::NumFeatures() const {
  bst_ulong n = 0;
  if (XGBoosterGetNumFeature(handle_.get(), &n) != 0) {
    return Status::Internal("XGBoosterGetNumFeature: " + XgbLastError());
  }
  return static_cast<uint64_t>(n);
}

Result<std::vector<float>> XgbBooster::PredictDense(const float* data,
                                                    size_t rows,
                                                    size_t cols) const {
  // The array interface describes our buffer to XGBoost without a copy.
  std::string iface = fmt::format(
      R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
      reinterpret_cast<uintptr_t>(data), rows, cols);
  const char* config =
      R"({"type": 0, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* out = nullptr;
  if (XGBoosterPredictFromDense(handle_.get(), iface.c_str(), config, nullptr,
                                &shape, &dim, &out) != 0) {
    return Status::Internal("XGBoosterPredictFromDense: " + XgbLastError());
  }
  size_t total = 1;
  for (bst_ulong i = 0; i < dim; ++i) total *= shape[i];
  return std::vector<float>(out, out + total);
}

Result<XgbMatrix> XgbMatrix::FromDense(const std::vector<float>& data,
                                       size_t rows, size_t cols) {
  if (data.size() != rows * cols) {
    return Status::InvalidArgument("matrix data size does not match shape");
  }
  DMatrixHandle h = nullptr;
  if (XGDMatrixCreateFromMat(data.data(), rows, cols, NAN, &h) != 0) {
    return Status::Internal("XGDMatrixCreateFromMat: " + XgbLastError());
  }
  XgbMatrix m;
  m.handle_ = std::shared_ptr<void>(h, [](void* p) {
    if (p) XGDMatrixFree(p);
  });
  return m;
}

Status XgbMatrix::SetLabels(const std::vector<float>& labels) {
  if (XGDMatrixSetFloatInfo(handle_.get(), "label", labels.data(),
                            labels.size()) != 0) {
    return Status::InvalidArgument("labels: " + XgbLastError());
  }
  return Status::OK();
}

Status XgbMatrix::SetWeights(const std::vector<float>& weights) {
  if (XGDMatrixSetFloatInfo(handle_.get(), "weight", weights.data(),
                            weights.size()) != 0) {
    return Status::InvalidArgument("weights: " + XgbLastError());
  }
  return Status::OK();
}

}  // namespace phas
