#include "scaler/predictor_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "model/features.h"

namespace phas {

Result<ModelAnswer> BundlePredictor::Predict(const Features& f) {
  PHAS_ASSIGN_OR_RETURN(std::vector<InputValue> inputs,
                        FeaturesToInputs(f, model_->pipeline()));
  auto same = [](const InputValue& a, const InputValue& b) {
    // Bitwise for numbers: NaN (a missing input) equals NaN.
    return a.level == b.level &&
           std::memcmp(&a.number, &b.number, sizeof(double)) == 0;
  };
  std::lock_guard<std::mutex> lock(mu_);
  if (std::equal(inputs.begin(), inputs.end(), last_inputs_.begin(),
                 last_inputs_.end(), same)) {
    return last_answer_;
  }
  Prediction p;
  PHAS_RETURN_IF_ERROR(model_->Predict(inputs.data(), &p));
  const ClassInfo& c = model_->classes()[p.cls];
  ModelAction action = c.action == ScaleAction::kScaleUp ? ModelAction::kScaleUp
                       : c.action == ScaleAction::kScaleDown
                           ? ModelAction::kScaleDown
                           : ModelAction::kHold;
  last_inputs_ = std::move(inputs);
  last_answer_ = ModelAnswer{p.cls, c.label, action, p.confidence};
  return last_answer_;
}

bool BundlePredictor::wants_history() const {
  // The optional inputs are the temporal ones.
  return model_->pipeline().required_inputs() <
         model_->pipeline().inputs().size();
}

std::string BundlePredictor::Describe() const {
  return fmt::format("model {} {} ({})", model_->name(), model_->version(),
                     model_->dir());
}

HttpPredictor::HttpPredictor(std::string url, std::chrono::milliseconds timeout,
                             std::shared_ptr<aws::HttpTransport> transport)
    : url_(std::move(url)),
      timeout_(timeout),
      transport_(std::move(transport)) {}

std::string HttpPredictor::RequestBody(const Features& f) {
  std::string body = fmt::format(
      "{{\"features\": [{}, {}, {}, {}, {:.0f}, {}, {}, ", f.cpu_usage,
      f.memory_usage, f.network_traffic, f.power_consumption,
      f.num_executed_instructions, f.execution_time, f.energy_efficiency);
  AppendJsonString(&body, f.task_type);
  body += ", ";
  AppendJsonString(&body, f.task_priority);
  body += "]}";
  return body;
}

Result<ModelAnswer> HttpPredictor::Predict(const Features& f) {
  aws::HttpCall call;
  call.method = "POST";
  call.url = url_;
  call.headers = {{"Content-Type", "application/json"}};
  call.body = RequestBody(f);
  call.connect_timeout = std::min(timeout_, std::chrono::milliseconds(2000));
  call.timeout = timeout_;
  PHAS_ASSIGN_OR_RETURN(aws::HttpReply reply, transport_->Send(call));
  if (reply.status != 200) {
    return Status::Unavailable(fmt::format("predictor {}: HTTP {}: {}", url_,
                                           reply.status,
                                           Abbreviate(reply.body, 200)));
  }
  return ParseAnswer(reply.body, "predictor " + url_);
}

Result<ModelAnswer> HttpPredictor::ParseAnswer(const std::string& body,
                                               const std::string& where) {
  using nlohmann::json;
  auto bad = [&](const std::string& what) {
    return Status::Unavailable(where + ": " + what + ": " +
                               Abbreviate(body, 200));
  };
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return bad("answer is not a JSON object");
  auto cls = j.find("prediction");
  if (cls == j.end() || !cls->is_number_integer()) {
    return bad("answer without an integer 'prediction'");
  }
  // Classes are small; anything beyond int is garbage, not a class.
  if (cls->is_number_unsigned()
          ? cls->get<uint64_t>() > 1000000
          : cls->get<int64_t>() < 0 || cls->get<int64_t>() > 1000000) {
    return bad("'prediction' out of range");
  }
  ModelAnswer a;
  a.cls = static_cast<int>(cls->get<int64_t>());
  a.label = "Unknown";
  if (auto it = j.find("predicted_class"); it != j.end()) {
    if (!it->is_string()) return bad("'predicted_class' is not a string");
    a.label = it->get<std::string>();
  }
  if (auto it = j.find("confidence"); it != j.end()) {
    if (!it->is_number()) return bad("'confidence' is not a number");
    a.confidence = it->get<double>();
  }
  if (auto it = j.find("action"); it != j.end()) {
    if (!it->is_string()) return bad("'action' is not a string");
    std::string action = it->get<std::string>();
    if (action == "scale_up") {
      a.action = ModelAction::kScaleUp;
    } else if (action == "scale_down") {
      a.action = ModelAction::kScaleDown;
    } else if (action == "hold") {
      a.action = ModelAction::kHold;
    } else {
      return bad("unknown action '" + action + "'");
    }
  } else {
    // The original service answers no action: its classes meant 0 scale up,
    // 1 scale down, 2 hold.
    a.action = a.cls == 0   ? ModelAction::kScaleUp
               : a.cls == 1 ? ModelAction::kScaleDown
                            : ModelAction::kHold;
  }
  return a;
}

}  // namespace phas
