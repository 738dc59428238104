// PredictorService: the routes of `phas predictor`.
//
//   POST /predict         one prediction     (predictor/codec.h for the forms)
//   POST /predict/batch   up to max_batch predictions, in order
//   GET  /health          model loaded, its name, version, format and engine
//   GET  /metrics         Prometheus text: requests by route and status, a
//                         latency histogram per route, predictions by class
//
// Client errors are 4xx with {"error": "...", "field": ...}; wrong method 405
// (with Allow), unknown path 404, non-JSON content type 415, body over the
// limit 413. docs/predictor-api.md documents all of it.
//
// Thread-safety: Handle and Observe are called concurrently from the HTTP
// worker threads; all state is immutable or atomic.
#ifndef PHAS_PREDICTOR_SERVICE_H_
#define PHAS_PREDICTOR_SERVICE_H_

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "common/metrics.h"
#include "http/http_server.h"
#include "model/bundle.h"

namespace phas {

struct PredictorOptions {
  // Largest batch accepted by /predict/batch. Default: 1000.
  size_t max_batch = 1000;
  // Largest body accepted by /predict. Default: 64 KiB. (/predict/batch is
  // bounded by the server's max_body_bytes.)
  size_t max_predict_body = 64 * 1024;
};

class PredictorService {
 public:
  PredictorService(std::shared_ptr<const ModelBundle> model,
                   PredictorOptions options, MetricsRegistry* metrics);

  void Handle(const HttpRequest& req, HttpResponse& resp);
  // Counts a finished response (the HttpServer observer).
  void Observe(std::string_view path, int status, double seconds);

 private:
  enum Route { kPredict, kBatch, kHealth, kMetrics, kOther, kNumRoutes };
  static Route RouteOf(std::string_view path);
  static const char* RouteLabel(Route r);

  void HandlePredict(const HttpRequest& req, HttpResponse& resp);
  void HandleBatch(const HttpRequest& req, HttpResponse& resp);
  void HandleHealth(HttpResponse& resp);
  bool CheckContentType(const HttpRequest& req, HttpResponse& resp);
  Counter& RequestCounter(Route r, int status);

  std::shared_ptr<const ModelBundle> model_;
  PredictorOptions options_;
  MetricsRegistry* metrics_;
  std::chrono::steady_clock::time_point started_;
  std::array<Histogram*, kNumRoutes> latency_{};
  std::vector<Counter*> by_class_;
  // [route][status - 100], filled on first use.
  std::array<std::array<std::atomic<Counter*>, 500>, kNumRoutes> requests_{};
};

}  // namespace phas

#endif  // PHAS_PREDICTOR_SERVICE_H_
