#include "moto_fixture.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "aws/http_transport.h"

namespace phas::testing {

std::string DeployPolicyPath() {
  return std::string(PHAS_SOURCE_DIR) + "/deploy/iam-policy.json";
}

std::string WriteDeployStatements(
    const std::vector<std::string>& sid_prefixes, const std::string& path,
    const std::function<void(nlohmann::json&)>& edit) {
  std::ifstream deploy(DeployPolicyPath());
  nlohmann::json policy = nlohmann::json::parse(deploy);
  nlohmann::json kept = nlohmann::json::array();
  for (nlohmann::json& st : policy["Statement"]) {
    std::string sid = st.value("Sid", "");
    bool own = false;
    for (const std::string& p : sid_prefixes) own |= sid.rfind(p, 0) == 0;
    if (!own) continue;
    if (edit) edit(st);
    kept.push_back(st);
  }
  policy["Statement"] = kept;
  std::ofstream(path) << policy.dump();
  return path;
}

MotoServer::MotoServer(bool enforce_iam) : enforce_iam_(enforce_iam) {
  std::string moto = FindExecutable("moto_server");
  if (moto.empty()) {
    error_ =
        "moto_server not found in PATH or ~/.pyenv/shims (it comes with the "
        "machine's "
        "Python 3.11)";
    return;
  }
  // The Python that runs moto_server (its directory's), else PATH's.
  std::string python =
      (std::filesystem::path(moto).parent_path() / "python3").string();
  if (::access(python.c_str(), X_OK) != 0) python = FindExecutable("python3");
  if (python.empty()) {
    error_ = "python3 not found in PATH or ~/.pyenv/shims";
    return;
  }
  port_ = FreePort();
  log_ = "/tmp/phas_moto_" + std::to_string(::getpid()) + "_" +
         std::to_string(port_) + ".log";
  recorded_ = "/tmp/phas_moto_" + std::to_string(::getpid()) + "_" +
              std::to_string(port_) + "_recorded";
  // moto_server itself, with the calls moto lacks answered from recorded
  // AWS responses (moto_server_ext.py).
  proc_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{python,
                               std::string(PHAS_SOURCE_DIR) +
                                   "/tests/integration/moto_server_ext.py",
                               "-H", "127.0.0.1", "-p", std::to_string(port_)},
      std::map<std::string, std::string>{
          {"INITIAL_NO_AUTH_ACTION_COUNT", enforce_iam ? "3" : ""},
          {"AWS_ACCESS_KEY_ID", ""},
          {"AWS_SECRET_ACCESS_KEY", ""},
          {"PHAS_MOTO_RECORDED", recorded_}},
      log_);
  aws::CurlTransport t;
  for (int i = 0; i < 300; ++i) {
    aws::HttpCall call;
    call.url = url() + "/moto-api/";
    call.timeout = std::chrono::milliseconds(500);
    auto r = t.Send(call);
    if (r.ok() && r->status == 200) return;
    if (!proc_->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  error_ = "moto_server did not start on port " + std::to_string(port_) +
           " (log: " + log_ + ")";
}

MotoServer::~MotoServer() {
  proc_.reset();
  if (!log_.empty()) ::unlink(log_.c_str());
  if (!recorded_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(recorded_, ec);
  }
}

bool MotoServer::AnswerRecorded(const std::string& action,
                                const std::string& group,
                                const std::string& testdata_file,
                                const std::string& next_token) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(recorded_) / action;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string name = group + (next_token.empty() ? "" : "." + next_token);
  fs::path to = dir / (name + ".xml");
  if (testdata_file.empty()) return fs::remove(to, ec) || !ec;
  fs::copy_file(std::string(PHAS_SOURCE_DIR) + "/testdata/" + testdata_file, to,
                fs::copy_options::overwrite_existing, ec);
  return !ec;
}

nlohmann::json MotoServer::BuildWorld(
    const std::string& policy_path, const std::string& asg,
    const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {
      "python3",
      std::string(PHAS_SOURCE_DIR) + "/tests/integration/moto_world.py",
      url(),
      policy_path,
      "--asg",
      asg};
  if (admin_.is_null()) {
    argv.push_back("--bootstrap");
  } else {
    argv.push_back("--admin-key");
    argv.push_back(admin_.dump());
  }
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  ProcessResult r =
      RunProcess(argv, {{"AWS_ENDPOINT_URL", ""}, {"AWS_PROFILE", ""}}, 120);
  if (r.exit_code != 0) {
    error_ = "moto_world.py failed: " + r.err;
    return nullptr;
  }
  nlohmann::json world = nlohmann::json::parse(r.out, nullptr, false);
  if (world.is_discarded()) {
    error_ = "moto_world.py printed no JSON: " + r.out;
    return nullptr;
  }
  admin_ = world["admin"];
  return world;
}

std::map<std::string, std::string> MotoServer::EnvFor(
    const nlohmann::json& key, const std::string& home) const {
  return {{"AWS_ACCESS_KEY_ID", key["AccessKeyId"].get<std::string>()},
          {"AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"].get<std::string>()},
          {"AWS_SESSION_TOKEN", ""},
          {"AWS_REGION", "us-east-1"},
          {"AWS_PROFILE", ""},
          {"AWS_ENDPOINT_URL", url()},
          {"AWS_EC2_METADATA_DISABLED", "true"},
          {"HOME", home}};
}

void PutInstanceMetrics(aws::QueryClient& cw,
                        const std::vector<std::string>& instance_ids,
                        TimePoint now) {
  aws::QueryParams p = {{"Namespace", "AWS/EC2"}};
  int k = 0;
  for (const std::string& id : instance_ids) {
    for (const char* metric : {"CPUUtilization", "NetworkIn", "NetworkOut"}) {
      std::string pre = "MetricData.member." + std::to_string(++k);
      p.push_back({pre + ".MetricName", metric});
      p.push_back({pre + ".Value",
                   std::string(metric) == "CPUUtilization" ? "55" : "5000000"});
      p.push_back({pre + ".Timestamp", FormatIso8601(now)});
      p.push_back({pre + ".Dimensions.member.1.Name", "InstanceId"});
      p.push_back({pre + ".Dimensions.member.1.Value", id});
    }
  }
  if (k > 0) (void)cw.Call("PutMetricData", p);
}

}  // namespace phas::testing
