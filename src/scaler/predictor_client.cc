#include "scaler/predictor_client.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "model/features.h"

namespace phas {

Result<ModelAnswer> BundlePredictor::Predict(const Features& f) {
  PHAS_ASSIGN_OR_RETURN(std::vector<InputValue> inputs,
                        FeaturesToInputs(f, model_->pipeline()));
  Prediction p;
  PHAS_RETURN_IF_ERROR(model_->Predict(inputs.data(), &p));
  const ClassInfo& c = model_->classes()[p.cls];
  return ModelAnswer{p.cls, c.label, ScaleActionName(c.action), p.confidence};
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
  nlohmann::json j = nlohmann::json::parse(reply.body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("prediction") ||
      !j["prediction"].is_number_integer()) {
    return Status::Unavailable("predictor " + url_ +
                               ": answer without an integer 'prediction': " +
                               Abbreviate(reply.body, 200));
  }
  ModelAnswer a;
  a.cls = j["prediction"].get<int>();
  a.label = j.value("predicted_class", std::string("Unknown"));
  if (j.contains("confidence") && j["confidence"].is_number()) {
    a.confidence = j["confidence"].get<double>();
  }
  if (j.contains("action") && j["action"].is_string()) {
    a.action = j["action"].get<std::string>();
  } else {
    // The original service answers no action: its classes meant 0 scale up,
    // 1 scale down, 2 hold.
    a.action = a.cls == 0 ? "scale_up" : a.cls == 1 ? "scale_down" : "hold";
  }
  if (a.action != "scale_up" && a.action != "scale_down" &&
      a.action != "hold") {
    return Status::Unavailable("predictor " + url_ + ": unknown action '" +
                               a.action + "'");
  }
  return a;
}

}  // namespace phas
