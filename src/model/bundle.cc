#include "model/bundle.h"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdint>
#include <set>

#include "common/file_util.h"
#include "common/json_util.h"

namespace phas {
namespace {

using nlohmann::json;

constexpr const char* kManifestFile = "manifest.json";
constexpr const char* kFormat = "phas-model/1";
// nlohmann copies and prints a document recursively, a call per level:
// 100,000 nested brackets (a 200 KB manifest) overflowed the stack. A
// bundle's files are a few levels deep; the free-form card and training
// objects have room.
constexpr int kMaxNesting = 64;

Result<json> ReadJsonFile(const std::string& path) {
  PHAS_ASSIGN_OR_RETURN(std::string text, ReadRegularFile(path));
  if (JsonNestingDepth(text, kMaxNesting) > kMaxNesting) {
    return Status::InvalidArgument(
        fmt::format("{}: nested deeper than {} levels", path, kMaxNesting));
  }
  auto j = ParseJson(text);
  if (!j.ok()) return j.status().WithContext(path);
  return j;
}

Result<ScaleAction> ParseAction(const std::string& s) {
  if (s == "scale_up") return ScaleAction::kScaleUp;
  if (s == "scale_down") return ScaleAction::kScaleDown;
  if (s == "hold") return ScaleAction::kHold;
  return Status::InvalidArgument("'" + s +
                                 "' is not one of scale_up, scale_down, hold");
}

// The manifest's own fields (the pipeline is FeaturePipeline's).
struct ManifestFields {
  std::string name, version, booster;
  std::vector<ClassInfo> classes;
};

Status ReadManifestFields(const JsonReader& r, ManifestFields* out) {
  PHAS_RETURN_IF_ERROR(
      r.CheckKeys({"format", "name", "version", "description", "booster",
                   "classes", "pipeline", "card", "training"}));
  std::string format;
  PHAS_RETURN_IF_ERROR(r.RequiredStr("format", &format));
  if (format != kFormat) {
    return r.Bad("format", fmt::format("must be \"{}\", got \"{}\"", kFormat,
                                       Abbreviate(format)));
  }
  PHAS_RETURN_IF_ERROR(r.RequiredStr("name", &out->name));
  PHAS_RETURN_IF_ERROR(r.RequiredStr("version", &out->version));
  PHAS_RETURN_IF_ERROR(r.RequiredStr("booster", &out->booster));
  std::string description;
  PHAS_RETURN_IF_ERROR(r.Str("description", &description));
  const json& classes = r.Child("classes");
  if (!classes.is_array()) {
    return r.WrongType("classes", "an array of at least 2 classes", classes);
  }
  if (classes.size() < 2) {
    return r.Bad("classes", fmt::format("must list at least 2 classes, got {}",
                                        classes.size()));
  }
  for (size_t i = 0; i < classes.size(); ++i) {
    JsonReader c(classes[i], fmt::format("classes[{}]", i));
    PHAS_RETURN_IF_ERROR(c.CheckKeys({"label", "action"}));
    ClassInfo info;
    std::string action;
    PHAS_RETURN_IF_ERROR(c.RequiredStr("label", &info.label));
    PHAS_RETURN_IF_ERROR(c.RequiredStr("action", &action));
    auto a = ParseAction(action);
    if (!a.ok()) return c.Bad("action", a.status().message());
    info.action = *a;
    out->classes.push_back(std::move(info));
  }
  return Status::OK();
}

// Deterministic probe rows for checking TreeEnsemble against XGBoost: zeros,
// and values spread over [-4, 4] from a fixed linear congruential sequence.
std::vector<float> ProbeRows(size_t cols, size_t rows) {
  std::vector<float> data(rows * cols, 0.0f);
  uint64_t x = 0x9E3779B97F4A7C15ull;
  for (size_t i = cols; i < data.size(); ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    data[i] = static_cast<float>((x >> 40) % 8001) / 1000.0f - 4.0f;
  }
  return data;
}

}  // namespace

const char* ScaleActionName(ScaleAction a) {
  switch (a) {
    case ScaleAction::kScaleUp:
      return "scale_up";
    case ScaleAction::kScaleDown:
      return "scale_down";
    case ScaleAction::kHold:
      return "hold";
  }
  return "hold";
}

Result<json> ModelBundle::SeedManifest(const std::string& dir) {
  std::string scaler_path = JoinPath(dir, "scaler.json");
  std::string columns_path = JoinPath(dir, "columns.json");
  PHAS_ASSIGN_OR_RETURN(json scaler, ReadJsonFile(scaler_path));
  PHAS_ASSIGN_OR_RETURN(json columns, ReadJsonFile(columns_path));
  if (!columns.is_array()) {
    return Status::InvalidArgument(columns_path +
                                   ": must be an array of names");
  }
  if (!scaler.is_object() || !scaler.contains("columns") ||
      !scaler.contains("mean") || !scaler.contains("scale")) {
    return Status::InvalidArgument(scaler_path +
                                   ": must have 'columns', 'mean' and 'scale'");
  }
  // The original's inputs, derived columns and categories (seed-model README).
  json inputs = OriginalInputsSpec();
  json derived = json::array({
      {{"name", "cpu_mem_product"},
       {"op", "mul"},
       {"a", "cpu_usage"},
       {"b", "memory_usage"}},
      {{"name", "cpu_network_ratio"},
       {"op", "div"},
       {"a", "cpu_usage"},
       {"b", "network_traffic"},
       {"epsilon", 1e-5}},
      {{"name", "power_per_cpu"},
       {"op", "div"},
       {"a", "power_consumption"},
       {"b", "cpu_usage"},
       {"epsilon", 1e-5}},
      {{"name", "execution_per_instruction"},
       {"op", "div"},
       {"a", "execution_time"},
       {"b", "num_executed_instructions"},
       {"epsilon", 1.0}},
  });
  // One-hot levels are those columns.json kept after drop-first encoding.
  json one_hot = json::array();
  std::set<std::string> known = {"cpu_usage",
                                 "memory_usage",
                                 "network_traffic",
                                 "power_consumption",
                                 "num_executed_instructions",
                                 "execution_time",
                                 "cpu_mem_product",
                                 "cpu_network_ratio",
                                 "power_per_cpu",
                                 "execution_per_instruction"};
  json zero = json::array({"energy_efficiency"});  // the original drops it
  for (const char* src : {"task_type", "task_priority", "task_status"}) {
    json levels = json::array();
    std::string prefix = std::string(src) + "_";
    for (const json& c : columns) {
      if (!c.is_string()) {
        return Status::InvalidArgument(columns_path +
                                       ": must be an array of names");
      }
      const std::string& name = c.get_ref<const std::string&>();
      if (name.rfind(prefix, 0) == 0) {
        levels.push_back(name.substr(prefix.size()));
        known.insert(name);
      }
    }
    one_hot.push_back({{"source", src}, {"levels", levels}});
  }
  // The original reindexed to columns.json with fill_value=0: a column it
  // could not produce is 0. Say so explicitly in the synthesized manifest.
  for (const json& c : columns) {
    const std::string& name = c.get_ref<const std::string&>();
    if (!known.count(name) && name != "energy_efficiency") zero.push_back(name);
  }
  json pipeline = {
      {"inputs", inputs},
      {"constants",
       json::array({{{"name", "task_status"}, {"value", "completed"}}})},
      {"derived", derived},
      {"standardize",
       {{"columns", scaler["columns"]},
        {"mean", scaler["mean"]},
        {"scale", scaler["scale"]}}},
      {"one_hot", one_hot},
      {"zero", zero},
      {"columns", columns},
  };
  return json{
      {"format", kFormat},
      {"name", "seed-original"},
      {"version", "1.0.0"},
      {"description",
       "The original Python system's classifier, loaded from its exported "
       "artifacts (model.json, scaler.json, columns.json)."},
      {"booster", "model.json"},
      {"classes", json::array({{{"label", "Low"}, {"action", "scale_up"}},
                               {{"label", "Medium"}, {"action", "scale_down"}},
                               {{"label", "High"}, {"action", "hold"}}})},
      {"pipeline", pipeline},
  };
}

Result<std::shared_ptr<const ModelBundle>> ModelBundle::Load(
    const std::string& dir) {
  if (!FileExists(dir)) {
    return Status::NotFound(dir + ": model directory does not exist");
  }
  std::shared_ptr<ModelBundle> b(new ModelBundle());
  std::string manifest_path = JoinPath(dir, kManifestFile);
  if (FileExists(manifest_path)) {
    PHAS_ASSIGN_OR_RETURN(json manifest, ReadJsonFile(manifest_path));
    PHAS_RETURN_IF_ERROR(b->Init(dir, manifest, manifest_path));
    b->format_ = kFormat;
  } else if (FileExists(JoinPath(dir, "model.json")) &&
             FileExists(JoinPath(dir, "scaler.json")) &&
             FileExists(JoinPath(dir, "columns.json"))) {
    PHAS_ASSIGN_OR_RETURN(json manifest, SeedManifest(dir));
    PHAS_RETURN_IF_ERROR(
        b->Init(dir, manifest, JoinPath(dir, "scaler.json + columns.json")));
    b->format_ = "seed-legacy";
  } else {
    return Status::NotFound(
        dir +
        ": not a model bundle (needs manifest.json, or the original's "
        "model.json + scaler.json + columns.json)");
  }
  return std::shared_ptr<const ModelBundle>(std::move(b));
}

Status ModelBundle::Init(const std::string& dir, const json& manifest,
                         const std::string& where) {
  dir_ = dir;
  manifest_ = manifest;
  JsonReader r(manifest, "");
  ManifestFields fields;
  PHAS_RETURN_IF_ERROR(ReadManifestFields(r, &fields).WithContext(where));
  name_ = std::move(fields.name);
  version_ = std::move(fields.version);
  classes_ = std::move(fields.classes);
  auto pipeline = FeaturePipeline::FromJson(r.Child("pipeline"));
  if (!pipeline.ok()) return pipeline.status().WithContext(where);
  pipeline_ = std::move(pipeline).value();

  std::string booster_path = JoinPath(dir, fields.booster);
  PHAS_ASSIGN_OR_RETURN(XgbBooster booster,
                        XgbBooster::LoadFromFile(booster_path));
  // XGBoost checks some of a model's parameters only when it first uses it
  // (num_class 0, classes and targets both): its errors here are the file's.
  auto refused = [&](const Status& st) {
    return Status::InvalidArgument(
        booster_path + ": not a loadable XGBoost model: " + st.message());
  };
  Result<uint64_t> num_features = booster.NumFeatures();
  if (!num_features.ok()) return refused(num_features.status());
  uint64_t nf = *num_features;
  if (nf != pipeline_.num_columns()) {
    return Status::InvalidArgument(fmt::format(
        "{}: the model takes {} features but the pipeline produces {} columns",
        booster_path, nf, pipeline_.num_columns()));
  }
  size_t k = classes_.size();
  std::vector<float> probe = ProbeRows(nf, 64);
  Result<std::vector<float>> probed =
      booster.PredictDense(probe.data(), 64, nf);
  if (!probed.ok()) return refused(probed.status());
  const std::vector<float>& reference = *probed;
  if (reference.size() != 64 * k) {
    return Status::InvalidArgument(
        fmt::format("{}: the model has {} outputs per row but the manifest "
                    "lists {} classes",
                    booster_path, reference.size() / 64, k));
  }
  Result<std::string> saved = booster.SaveJson();
  if (!saved.ok()) return refused(saved.status());
  std::string model_json = std::move(saved).value();
  auto ensemble = TreeEnsemble::FromXgboostJson(model_json);
  if (ensemble.ok() && ensemble->num_outputs() == static_cast<int>(k)) {
    double worst = 0.0;
    std::vector<float> out(k);
    for (size_t r = 0; r < 64; ++r) {
      ensemble->Predict(probe.data() + r * nf, out.data());
      for (size_t c = 0; c < k; ++c) {
        worst =
            std::max(worst, std::fabs(double(out[c]) - reference[r * k + c]));
      }
    }
    if (worst <= 1e-6) {
      ensemble_ = std::move(ensemble).value();
    } else {
      spdlog::warn(
          "{}: tree evaluator differs from XGBoost by {}; serving "
          "with XGBoost",
          booster_path, worst);
    }
  } else if (!ensemble.ok()) {
    spdlog::info("{}: serving with XGBoost ({})", booster_path,
                 ensemble.status().message());
  }
  if (!ensemble_) booster_ = std::move(booster);
  // The XGBoost document and learner are freed; give their pages back.
  model_json.clear();
  model_json.shrink_to_fit();
  ::malloc_trim(0);
  return Status::OK();
}

Status ModelBundle::PredictRow(const float* row, Prediction* out) const {
  size_t k = classes_.size();
  out->probabilities.resize(k);
  if (ensemble_) {
    ensemble_->Predict(row, out->probabilities.data());
  } else {
    PHAS_ASSIGN_OR_RETURN(
        auto p, booster_->PredictDense(row, 1, pipeline_.num_columns()));
    std::copy(p.begin(), p.begin() + k, out->probabilities.begin());
  }
  // argmax; ties go to the lowest class, as numpy.argmax.
  int best = 0;
  for (size_t c = 1; c < k; ++c) {
    if (out->probabilities[c] > out->probabilities[best])
      best = static_cast<int>(c);
  }
  out->cls = best;
  out->confidence = out->probabilities[best];
  return Status::OK();
}

Status ModelBundle::Predict(const InputValue* inputs, Prediction* out) const {
  float row[FeaturePipeline::kMaxColumns];
  size_t n = pipeline_.num_columns();
  if (n > FeaturePipeline::kMaxColumns) {
    return Status::Internal("too many model columns");
  }
  pipeline_.Transform(inputs, row);
  return PredictRow(row, out);
}

}  // namespace phas
