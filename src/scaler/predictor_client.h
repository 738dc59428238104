// Predictor: where the loop gets a model's answer for a group's features.
//   BundlePredictor  in process, with a model bundle (the default)
//   HttpPredictor    a `phas predictor` (or the original service) over HTTP,
//                    POST {"features": [9 values]}, 6 s timeout by default;
//                    the original's body, so a remote model that declares
//                    temporal inputs sees them missing
// A failure is returned, never thrown; the seed policy's fallback decides.
//
// Thread-safety: safe to share.
#ifndef PHAS_SCALER_PREDICTOR_CLIENT_H_
#define PHAS_SCALER_PREDICTOR_CLIENT_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/http_transport.h"
#include "decision/types.h"
#include "model/bundle.h"
#include "model/features.h"

namespace phas {

class Predictor {
 public:
  virtual ~Predictor() = default;
  virtual Result<ModelAnswer> Predict(const Features& f) = 0;
  virtual std::string Describe() const = 0;
  // True when the model reads temporal inputs (Features::temporal), so the
  // loop must keep the group's load history. Default: false.
  virtual bool wants_history() const { return false; }
};

// No model: every prediction fails (the loop refuses to start a policy that
// reads one).
class NoPredictor final : public Predictor {
 public:
  Result<ModelAnswer> Predict(const Features&) override {
    return Status::FailedPrecondition("no model configured");
  }
  std::string Describe() const override { return "no model"; }
};

// Remembers its last answer: the loop asks again with the same inputs until
// the metrics are re-read (every 60 s at a 10 s interval), and the model is a
// pure function of them.
class BundlePredictor final : public Predictor {
 public:
  explicit BundlePredictor(std::shared_ptr<const ModelBundle> model)
      : model_(std::move(model)) {}
  Result<ModelAnswer> Predict(const Features& f) override;
  std::string Describe() const override;
  bool wants_history() const override;

 private:
  std::shared_ptr<const ModelBundle> model_;
  std::mutex mu_;
  std::vector<InputValue> last_inputs_;  // guarded by mu_
  ModelAnswer last_answer_;              // guarded by mu_
};

class HttpPredictor final : public Predictor {
 public:
  HttpPredictor(std::string url, std::chrono::milliseconds timeout,
                std::shared_ptr<aws::HttpTransport> transport);
  Result<ModelAnswer> Predict(const Features& f) override;
  std::string Describe() const override { return "HTTP predictor at " + url_; }

  // The body the original scaler sent.
  static std::string RequestBody(const Features& f);
  // The answer in a reply body: {"prediction": <class>, "predicted_class":
  // <label>, "confidence": <number>, "action": <scale_up|scale_down|hold>}
  // (only "prediction" required; without "action", the original's classes:
  // 0 scale up, 1 scale down, 2 hold). Unavailable, naming the field, for
  // anything else.
  static Result<ModelAnswer> ParseAnswer(const std::string& body,
                                         const std::string& where);

 private:
  std::string url_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<aws::HttpTransport> transport_;
};

}  // namespace phas

#endif  // PHAS_SCALER_PREDICTOR_CLIENT_H_
