// The scaler's metrics listener (metrics_listen): what it serves.
//   GET /          the live page (scaler/live_page.h)
//   GET /metrics   Prometheus text: the registry, with process_* refreshed
//   GET /healthz   200 {"status":"ok"} while the loop is alive (a cycle
//                  started within 3 intervals + 60 s; 10 minutes for the
//                  first), else 503
//                  {"status":"stuck","error":...} (StatusBoard::NotAlive)
//   GET /readyz    200 {"ready":true,"groups":[...]} when every group was read
//                  within 3 intervals, else 503 {"ready":false,"not_ready":
//                  [{"group","reason"}]}
//   GET /status    the StatusBoard's JSON, per-minute charts included
//   GET /health    the same as /healthz (older name)
// Other methods: 405; other paths: 404 (JSON errors).
//
// Thread-safety: the handler is safe from any thread (the registry and the
// board are).
#ifndef PHAS_SCALER_STATUS_HTTP_H_
#define PHAS_SCALER_STATUS_HTTP_H_

#include "common/clock.h"
#include "common/metrics.h"
#include "http/http_server.h"
#include "scaler/status_board.h"

namespace phas {

// The three must outlive the handler.
HttpHandler ScalerHttpHandler(MetricsRegistry* registry, StatusBoard* board,
                              Clock* clock);

}  // namespace phas

#endif  // PHAS_SCALER_STATUS_HTTP_H_
