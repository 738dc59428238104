// FakeServer: a local HTTP endpoint for tests, built on phas's HttpServer.
// Records every request and answers through a handler the test provides.
#ifndef PHAS_TESTS_UNIT_FAKE_SERVER_H_
#define PHAS_TESTS_UNIT_FAKE_SERVER_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/http_parser.h"
#include "http/http_server.h"

namespace phas::testing {

struct RecordedRequest {
  std::string method, path, query, body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  // Value of a form field in an x-www-form-urlencoded body (not decoded).
  std::string Form(const std::string& key) const {
    size_t pos = 0;
    while (pos <= body.size()) {
      size_t amp = body.find('&', pos);
      if (amp == std::string::npos) amp = body.size();
      std::string kv = body.substr(pos, amp - pos);
      size_t eq = kv.find('=');
      if (kv.substr(0, eq) == key)
        return eq == std::string::npos ? "" : kv.substr(eq + 1);
      pos = amp + 1;
    }
    return "";
  }
};

class FakeServer {
 public:
  using Handler = std::function<void(const RecordedRequest&, HttpResponse&)>;

  explicit FakeServer(Handler handler) : handler_(std::move(handler)) {
    HttpServerOptions opts;
    opts.port = 0;
    opts.threads = 2;
    server_ = std::make_unique<HttpServer>(opts, [this](const HttpRequest& q,
                                                        HttpResponse& r) {
      RecordedRequest rec;
      rec.method = std::string(q.method);
      rec.path = std::string(q.path);
      rec.query = std::string(q.query);
      rec.body = std::string(q.body);
      for (const auto& h : q.headers) {
        std::string name(h.name);
        for (char& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers[name] = std::string(h.value);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(rec);
      }
      r.content_type = "text/xml";
      handler_(rec, r);
    });
    server_->Start();
  }
  ~FakeServer() { server_->Stop(); }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port());
  }
  std::vector<RecordedRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  Handler handler_;
  std::unique_ptr<HttpServer> server_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_FAKE_SERVER_H_
