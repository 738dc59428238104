#include "scaler/status_http.h"

#include "common/json_util.h"
#include "common/process_metrics.h"
#include "scaler/live_page.h"

namespace phas {

using nlohmann::json;

HttpHandler ScalerHttpHandler(MetricsRegistry* registry, StatusBoard* board,
                              Clock* clock) {
  return [registry, board, clock](const HttpRequest& q, HttpResponse& r) {
    if (q.method != "GET" && q.method != "HEAD") {
      r.status = 405;
      r.headers.emplace_back("Allow", "GET, HEAD");
      r.body = HttpServer::ErrorBody("only GET and HEAD", "method");
      return;
    }
    TimePoint now = clock->Now();
    if (q.path == "/metrics") {
      UpdateProcessMetrics(registry);
      r.content_type = "text/plain; version=0.0.4; charset=utf-8";
      r.body = registry->Render();
    } else if (q.path == "/healthz" || q.path == "/health") {
      std::string why = board->NotAlive(now);
      if (why.empty()) {
        r.body = R"({"status":"ok"})";
      } else {
        r.status = 503;
        r.body = DumpJson(json{{"status", "stuck"}, {"error", why}});
      }
    } else if (q.path == "/readyz") {
      auto not_ready = board->NotReady(now);
      if (not_ready.empty()) {
        r.body =
            DumpJson(json{{"ready", true}, {"groups", board->GroupNames()}});
      } else {
        json list = json::array();
        for (const auto& [group, why] : not_ready) {
          list.push_back({{"group", group}, {"reason", why}});
        }
        r.status = 503;
        r.body = DumpJson(json{{"ready", false}, {"not_ready", list}});
      }
    } else if (q.path == "/status") {
      r.body = DumpJson(board->Json(now, true));
    } else if (q.path == "/" || q.path == "/index.html") {
      r.content_type = "text/html; charset=utf-8";
      r.body = LivePageHtml();
    } else {
      r.status = 404;
      r.body = HttpServer::ErrorBody(
          "no route; try GET /, /metrics, /healthz, /readyz or /status",
          "path");
    }
  };
}

}  // namespace phas
