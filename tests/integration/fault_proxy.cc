#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>

#include "fake_server.h"

namespace phas::testing {
namespace {

constexpr const char* kNotXml = "<<<this is not XML: injected by FaultProxy";

std::string ErrorXml(const std::string& type, const std::string& code, int n) {
  return "<ErrorResponse "
         "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">"
         "<Error><Type>" +
         type + "</Type><Code>" + code +
         "</Code><Message>injected by FaultProxy</Message></Error>"
         "<RequestId>fault-proxy-" +
         std::to_string(n) + "</RequestId></ErrorResponse>";
}

std::string Lower(std::string s) {
  for (char& c : s)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string FormDecode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> form;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t amp = std::min(body.find('&', pos), body.size());
    std::string kv = body.substr(pos, amp - pos);
    size_t eq = kv.find('=');
    form[FormDecode(kv.substr(0, eq))] =
        eq == std::string::npos ? "" : FormDecode(kv.substr(eq + 1));
    pos = amp + 1;
  }
  return form;
}

// Reads from `fd` until `buf` holds at least `size` bytes; false at EOF.
bool Fill(int fd, std::string* buf, size_t size) {
  char chunk[16384];
  while (buf->size() < size) {
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf->append(chunk, static_cast<size_t>(n));
  }
  return true;
}

// Reads until `needle` appears at or after `from`; its position, or npos.
size_t FillUntil(int fd, std::string* buf, const std::string& needle,
                 size_t from) {
  while (true) {
    size_t at = buf->find(needle, from);
    if (at != std::string::npos) return at;
    if (!Fill(fd, buf, buf->size() + 1)) return std::string::npos;
  }
}

// Decodes a chunked body that starts at `pos` in `buf`.
bool ReadChunked(int fd, std::string* buf, size_t pos, std::string* body) {
  while (true) {
    size_t eol = FillUntil(fd, buf, "\r\n", pos);
    if (eol == std::string::npos) return false;
    size_t size = 0;
    auto r = std::from_chars(buf->data() + pos, buf->data() + eol, size, 16);
    if (r.ec != std::errc()) return false;
    pos = eol + 2;
    if (size == 0) return true;  // trailers, if any, are not needed
    if (!Fill(fd, buf, pos + size + 2)) return false;
    body->append(*buf, pos, size);
    pos += size + 2;
  }
}

// Reads one HTTP/1.x response and re-frames it for the client with a
// Content-Length (hop-by-hop headers dropped).
Status ReadResponse(int fd, int* status, std::string* answer) {
  std::string buf;
  size_t head_end = FillUntil(fd, &buf, "\r\n\r\n", 0);
  if (head_end == std::string::npos)
    return Status::Unavailable("the target closed before answering");
  size_t line_end = buf.find("\r\n");
  std::string status_line = buf.substr(0, line_end);
  if (status_line.rfind("HTTP/1.", 0) != 0 || status_line.size() < 12)
    return Status::Corruption("not an HTTP answer: " + status_line);
  *status = std::atoi(status_line.c_str() + 9);
  std::string reason =
      status_line.substr(std::min<size_t>(13, status_line.size()));
  std::string headers;
  std::optional<size_t> length;
  bool chunked = false;
  size_t pos = line_end + 2;
  while (pos < head_end) {
    size_t eol = buf.find("\r\n", pos);
    std::string line = buf.substr(pos, eol - pos);
    pos = eol + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    if (name == "content-length") {
      length = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "transfer-encoding") {
      chunked = Lower(value).find("chunked") != std::string::npos;
    } else if (name != "connection" && name != "keep-alive") {
      headers += line + "\r\n";
    }
  }
  size_t body_start = head_end + 4;
  std::string body;
  if (chunked) {
    if (!ReadChunked(fd, &buf, body_start, &body))
      return Status::Unavailable("the target's chunked answer was cut short");
  } else if (length) {
    if (!Fill(fd, &buf, body_start + *length))
      return Status::Unavailable("the target's answer was cut short");
    body = buf.substr(body_start, *length);
  } else {
    Fill(fd, &buf, SIZE_MAX);  // until the target closes
    body = buf.substr(body_start);
  }
  *answer = "HTTP/1.1 " + std::to_string(*status) + " " + reason + "\r\n" +
            headers + "Content-Length: " + std::to_string(body.size()) +
            "\r\n\r\n" + body;
  return Status::OK();
}

}  // namespace

const char* FaultName(Fault f) {
  switch (f) {
    case Fault::kNone:
      return "none";
    case Fault::kInternalFailure:
      return "internal_failure";
    case Fault::kThrottling:
      return "throttling";
    case Fault::kTimeout:
      return "timeout";
    case Fault::kReset:
      return "reset";
    case Fault::kMalformed:
      return "malformed";
  }
  return "?";
}

bool Forwards(Fault f) {
  return f != Fault::kInternalFailure && f != Fault::kThrottling;
}

FaultMix FaultMix::Only(Fault f) {
  FaultMix m{0, 0, 0, 0, 0};
  switch (f) {
    case Fault::kNone:
      break;
    case Fault::kInternalFailure:
      m.internal_failure = 1;
      break;
    case Fault::kThrottling:
      m.throttling = 1;
      break;
    case Fault::kTimeout:
      m.timeout = 1;
      break;
    case Fault::kReset:
      m.reset = 1;
      break;
    case Fault::kMalformed:
      m.malformed = 1;
      break;
  }
  return m;
}

FaultProxy::FaultProxy(FaultProxyOptions options)
    : options_(std::move(options)), rng_(options_.seed) {}

FaultProxy::~FaultProxy() { Stop(); }

Status FaultProxy::Start() {
  const std::string prefix = "http://";
  std::string target = options_.target_url;
  while (!target.empty() && target.back() == '/') target.pop_back();
  size_t colon = target.rfind(':');
  if (target.rfind(prefix, 0) != 0 || colon < prefix.size())
    return Status::InvalidArgument("target_url: want http://HOST:PORT, got " +
                                   options_.target_url);
  target_host_ = target.substr(prefix.size(), colon - prefix.size());
  if (target_host_ == "localhost") target_host_ = "127.0.0.1";
  target_port_ = std::atoi(target.c_str() + colon + 1);
  in_addr addr{};
  if (target_port_ <= 0 ||
      ::inet_pton(AF_INET, target_host_.c_str(), &addr) != 1) {
    return Status::InvalidArgument(
        "target_url: want an IPv4 address and a port, got " +
        options_.target_url);
  }
  server_ = std::make_unique<SocketServer>([this](int fd) { Serve(fd); });
  if (server_->port() == 0) return Status::IoError("cannot listen on loopback");
  return Status::OK();
}

void FaultProxy::Stop() {
  if (server_) server_->Stop();
}

std::string FaultProxy::url() const { return server_ ? server_->url() : ""; }

void FaultProxy::set_fault_probability(double p) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.fault_probability = p;
}

void FaultProxy::set_mix(const FaultMix& mix) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.mix = mix;
}

void FaultProxy::set_actions(std::set<std::string> actions) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.actions = std::move(actions);
}

void FaultProxy::Force(Fault f) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.fault_probability = f == Fault::kNone ? 0 : 1;
  options_.mix = FaultMix::Only(f);
}

void FaultProxy::Script(std::vector<Fault> next) {
  std::lock_guard<std::mutex> lock(mu_);
  script_.assign(next.begin(), next.end());
}

std::vector<Forwarded> FaultProxy::forwarded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return forwarded_;
}

std::vector<Fault> FaultProxy::decisions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return decisions_;
}

int FaultProxy::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

int FaultProxy::connections() const {
  return server_ ? static_cast<int>(server_->connections()) : 0;
}

Fault FaultProxy::Draw(const std::string& action) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!options_.actions.empty() && !options_.actions.count(action))
    return Fault::kNone;
  if (!script_.empty()) {
    decisions_.push_back(script_.front());
    script_.pop_front();
    return decisions_.back();
  }
  // 53 random bits: the same numbers on every standard library.
  auto uniform = [this] { return static_cast<double>(rng_() >> 11) * 0x1p-53; };
  Fault f = Fault::kNone;
  if (uniform() < options_.fault_probability) {
    const FaultMix& m = options_.mix;
    const std::pair<double, Fault> weights[] = {
        {m.internal_failure, Fault::kInternalFailure},
        {m.throttling, Fault::kThrottling},
        {m.timeout, Fault::kTimeout},
        {m.reset, Fault::kReset},
        {m.malformed, Fault::kMalformed}};
    double total = 0;
    for (const auto& [w, kind] : weights) total += std::max(0.0, w);
    double x = uniform() * total;
    for (const auto& [w, kind] : weights) {
      if (w <= 0) continue;
      f = kind;
      if (x < w) break;
      x -= w;
    }
  }
  decisions_.push_back(f);
  return f;
}

Status FaultProxy::Forward(const std::string& raw, Upstream* out) const {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return Status::IoError("socket");
  timeval tv{30, 0};  // a stuck target must not hold Stop() forever
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(target_port_));
  ::inet_pton(AF_INET, target_host_.c_str(), &a.sin_addr);
  Status st;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
    st = Status::Unavailable("cannot connect to " + options_.target_url);
  } else if (!SendAll(fd, raw)) {
    st = Status::Unavailable("cannot send to " + options_.target_url);
  } else {
    st = ReadResponse(fd, &out->status, &out->answer);
  }
  ::close(fd);
  return st;
}

void FaultProxy::Serve(int fd) {
  std::string buffer;
  RecordedRequest req;
  while (ReadRequest(fd, &buffer, &req)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++requests_;
    }
    if (!Handle(fd, req)) return;
  }
}

bool FaultProxy::Handle(int fd, const RecordedRequest& req) {
  std::map<std::string, std::string> form = ParseForm(req.body);
  std::string action = form.count("Action") ? form["Action"] : "";
  if (action.empty()) {
    // JSON protocols (DynamoDB): X-Amz-Target: DynamoDB_20120810.GetItem.
    std::string target = req.Header("x-amz-target");
    action = target.substr(target.find('.') + 1);
  }
  Fault fault = Draw(action);
  int n = requests();
  if (fault == Fault::kInternalFailure) {
    return SendAll(fd,
                   HttpAnswer(500, ErrorXml("Receiver", "InternalFailure", n)));
  }
  if (fault == Fault::kThrottling) {
    return SendAll(fd, HttpAnswer(400, ErrorXml("Sender", "Throttling", n)));
  }
  Upstream up;
  Status st = Forward(req.raw, &up);
  if (!st.ok()) {
    return SendAll(
        fd, HttpAnswer(502, "FaultProxy: " + st.message(), "text/plain"));
  }
  if (up.status >= 200 && up.status < 300) {
    Forwarded f;
    f.answered_at = std::chrono::steady_clock::now();
    f.action = action;
    f.params = form;
    f.group = form["AutoScalingGroupName"];
    if (form.count("DesiredCapacity")) {
      f.desired_capacity = std::atoi(form["DesiredCapacity"].c_str());
    }
    f.status = up.status;
    f.fault = fault;
    std::lock_guard<std::mutex> lock(mu_);
    forwarded_.push_back(std::move(f));
  }
  switch (fault) {
    case Fault::kTimeout:
      server_->WaitForStop(options_.hold);
      return false;  // then closed
    case Fault::kReset:
      ResetOnClose(fd);
      return false;
    case Fault::kMalformed:
      return SendAll(fd, HttpAnswer(200, kNotXml));
    default:
      return SendAll(fd, up.answer);
  }
}

}  // namespace phas::testing
