#include "common/log_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "common/text.h"

namespace phas {
namespace {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto t = msg.time;
    std::time_t secs = system_clock::to_time_t(t);
    long ms = static_cast<long>(
        duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000);
    std::string text(msg.payload.data(), msg.payload.size());
    nlohmann::ordered_json j;
    j["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(secs),
                            ms < 0 ? 0 : ms);
    auto level = spdlog::level::to_string_view(msg.level);
    j["level"] = std::string(level.data(), level.size());
    size_t close = text.find("] ");
    if (!text.empty() && text[0] == '[' && close != std::string::npos &&
        text.find(' ') > close) {
      j["group"] = text.substr(1, close - 1);
      text = text.substr(close + 2);
    }
    j["msg"] = text;
    std::string line = DumpJson(j);
    dest.append(line.data(), line.data() + line.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLogFormatter>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() {
  return std::make_unique<JsonLogFormatter>();
}

namespace {

// The text format, with the message Printable: text from outside phas (an
// AWS error body, a group's name) shown raw put escape sequences and line
// breaks into the journal and the terminal.
class PrintableTextFormatter final : public spdlog::formatter {
 public:
  PrintableTextFormatter()
      : inner_(std::make_unique<spdlog::pattern_formatter>(
            "%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v",
            spdlog::pattern_time_type::utc)) {}
  void format(const spdlog::details::log_msg& msg,
              spdlog::memory_buf_t& dest) override {
    const std::string safe =
        Printable(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(safe.data(), safe.size());
    inner_->format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<PrintableTextFormatter>();
  }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeTextLogFormatter() {
  return std::make_unique<PrintableTextFormatter>();
}

Status SetLogFormat(const std::string& format) {
  if (format == "text") {
    spdlog::set_formatter(MakeTextLogFormatter());
    return Status::OK();
  }
  if (format == "json") {
    spdlog::set_formatter(MakeJsonLogFormatter());
    return Status::OK();
  }
  return Status::InvalidArgument("--log-format: expected text or json, got '" +
                                 format + "'");
}

}  // namespace phas
