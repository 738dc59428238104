// Bad values on phas's command line and in the scaler's config, refused
// with an exit code and one line on stderr naming the flag or key, where
// they were silently ignored (nan, inf, a flag that another undid) or
// reported without naming it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "phas_cli.h"

namespace phas {
namespace {

using BadFlagsTest = testing::PhasCliTest;

struct Case {
  std::string args;
  int exit_code;
  std::string want;  // the start of the one line on stderr
};

void ExpectRefused(const Case& c, const testing::PhasRun& r) {
  SCOPED_TRACE(c.args);
  EXPECT_EQ(r.exit_code, c.exit_code) << r.err;
  EXPECT_EQ(r.err.substr(0, c.want.size()), c.want) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
}

TEST_F(BadFlagsTest, NumberFlagsRefuseNanInfAndSayTheirBound) {
  const std::string trace =
      testing::SourcePath("data/traces/nasa_http_1995_1min.csv");
  const std::string bt = "backtest --trace " + trace + " ";
  const std::string help = " (see phas --help)\n";
  const Case cases[] = {
      // nan passed CLI11's Range, then a `>= 0` guard dropped it (exit 0,
      // the default used).
      {"scaler --interval nan", 2,
       "phas: --interval: must be a number from 1 to 3600, got nan" + help},
      {"scaler --metrics-refresh nan", 2,
       "phas: --metrics-refresh: must be a number from 0 to 3600, got nan" +
           help},
      {bt + "--hours nan", 2,
       "phas: --hours: must be a number from 0 to 1000000, got nan" + help},
      {bt + "--skip-hours nan", 2, "phas: --skip-hours: must be a number"},
      {bt + "--boot-time nan", 2, "phas: --boot-time: must be a number"},
      {bt + "--price nan", 2, "phas: --price: must be a number"},
      {bt + "--target-utilization nan", 2,
       "phas: --target-utilization: must be a number"},
      {bt + "--smoothing nan", 2, "phas: --smoothing: must be a number"},
      {bt + "--history-hours nan", 2,
       "phas: --history-hours: must be a number"},
      {bt + "--capacity-per-instance nan", 2,
       "phas: --capacity-per-instance: must be greater than 0, got nan" + help},
      {bt + "--capacity-per-instance inf", 2,
       "phas: --capacity-per-instance: must be greater than 0, got inf" + help},
      // Was "Value 0 not in range 0.000000 to 1797693134862315708...".
      {bt + "--capacity-per-instance 0", 2,
       "phas: --capacity-per-instance: must be greater than 0, got 0" + help},
      {"tune --trace " + trace + " --hours nan", 2,
       "phas: --hours: must be a number"},
      {"forecast " + trace + " --smoothing nan", 2,
       "phas: --smoothing: must be a number"},
      {"train --traces . --out x --hours nan", 2,
       "phas: --hours: must be a number"},
      {"history --asg g --out x --request-hours nan", 2,
       "phas: --request-hours: must be a number from 0 to 10920, got nan" +
           help},
      // CloudWatch's retention: 1e300 hours overflowed the window's
      // nanoseconds.
      {"history --asg g --out x --request-hours 1e300", 2,
       "phas: --request-hours: must be a number from 0 to 10920, got 1e300"},
  };
  for (const Case& c : cases) ExpectRefused(c, Phas(c.args));
}

TEST_F(BadFlagsTest, ConflictsAndNamesAreSaid) {
  const std::string trace =
      testing::SourcePath("data/traces/nasa_http_1995_1min.csv");
  const std::string config = Write("phas.yaml",
                                   "region: us-east-1\n"
                                   "output_dir: " +
                                       (dir_ / "out").string() +
                                       "\n"
                                       "groups: [{name: web}]\n");
  const std::string file = Write("a-file", "x");
  const Case cases[] = {
      // The capacity was silently replaced by the peak's mapping.
      {"backtest --trace " + trace +
           " --hours 1 --quiet --policy target-tracking --peak-instances 5 "
           "--capacity-per-instance 3",
       2,
       "phas: InvalidArgument: --capacity-per-instance and --peak-instances: "
       "give one of them"},
      // Ran and scored twice, side by side (tune refused it in other words).
      {"backtest --trace " + trace +
           " --hours 1 --quiet --policy reactive,hpa,reactive",
       2, "phas: InvalidArgument: --policy: 'reactive' named twice\n"},
      {"tune --trace " + trace + " --hours 1 --quiet --policy hpa,hpa", 2,
       "phas: InvalidArgument: --policy: 'hpa' named twice\n"},
      // Each of its runs was put on the curve twice.
      {"backtest --trace " + trace +
           " --hours 1 --quiet --frontier --frontier-targets 60,50,60",
       2, "phas: InvalidArgument: --frontier-targets: 60 given twice\n"},
      // Ignored, silently: the targets without --frontier, the document
      // with it (left as it was).
      {"backtest --trace " + trace +
           " --hours 1 --quiet --policy reactive --frontier-targets 60,50",
       2, "phas: InvalidArgument: --frontier-targets goes with --frontier\n"},
      {"backtest --trace " + trace + " --hours 1 --quiet --frontier " +
           "--update-doc " + file,
       2, "phas: InvalidArgument: --update-doc does not go with --frontier"},
      // --policy applied only to --group groups: without, it was ignored.
      {"scaler --config " + config + " --policy nonexistent --once", 2,
       "phas: InvalidArgument: --policy goes with --group"},
      {"scaler --config " + config + " --model m --predictor-url u --once", 2,
       "phas: InvalidArgument: --model and --predictor-url: give one of them"},
      // Read by std::stoi when the server started: a random port bound.
      {"scaler --config " + config + " --metrics-listen 127.0.0.1:99999", 2,
       "phas: InvalidArgument: --metrics-listen: must be host:port (port 0 to "
       "65535) or off, got '127.0.0.1:99999'\n"},
      // Was "--.signal: ...".
      {"history --asg g --out x --signal gpu", 2,
       "phas: InvalidArgument: --signal: must be one of"},
      // Was "IOError: /etc/passwd: Not a directory", exit 1.
      {"scaler --config " + config + " --output-dir " + file + " --once", 2,
       "phas: InvalidArgument: --output-dir: '" + file +
           "' is not a directory\n"},
      {"scaler --config " + config + " --state " + dir_.string() + " --once", 2,
       "phas: InvalidArgument: --state: '" + dir_.string() +
           "' is a directory (a file is expected)\n"},
      {"scaler --config " + config + " --output-dir " + file + "/sub --once", 1,
       "phas: IOError: --output-dir: "},
  };
  for (const Case& c : cases) ExpectRefused(c, Phas(c.args));
}

// An output over an input replaced it: `--json` over `--trace` left the
// results where the trace was. Refused naming both flags; the file is
// left as it was.
TEST_F(BadFlagsTest, NoOutputOverwritesAnInput) {
  std::string csv;
  for (int m = 0; m < 30; ++m) csv += fmt::format("{},{}\n", 60 * m, 5 + m);
  const std::string t = Write("t.csv", csv);
  const std::string yaml = "demand: {peak_instances: 5}\n";
  const std::string c = Write("c.yaml", yaml);
  std::filesystem::create_symlink(t, dir_ / "link.csv");
  const std::string d = dir_.string();
  const std::string bt = "backtest --quiet --policy reactive ";
  const std::string same = ": the same file as ";
  const Case cases[] = {
      {bt + "--trace " + t + " --json " + t, 2,
       "phas: InvalidArgument: --json " + t + same + "--trace " + t +
           ": it would be overwritten\n"},
      {bt + "--trace " + t + " --report " + d + "/./t.csv", 2,
       "phas: InvalidArgument: --report " + d + "/./t.csv" + same + "--trace"},
      {bt + "--trace " + t + " --json " + d + "/link.csv", 2,
       "phas: InvalidArgument: --json " + d + "/link.csv" + same + "--trace"},
      {bt + "--suite " + d + " --frontier --json " + t, 2,
       "phas: InvalidArgument: --json " + t + same + "--suite "},
      {bt + "--trace " + t + " --config " + c + " --report " + c, 2,
       "phas: InvalidArgument: --report " + c + same + "--config " + c},
      {bt + "--trace " + t + " --json " + d + "/o --report " + d + "/o", 2,
       "phas: InvalidArgument: --report " + d + "/o" + same +
           "--json: one would overwrite the other\n"},
      {"tune --quiet --trace " + t + " --json " + t, 2,
       "phas: InvalidArgument: --json " + t + same + "--trace"},
      {"tune --quiet --trace " + t + " --config " + c + " --json " + c, 2,
       "phas: InvalidArgument: --json " + c + same + "--config"},
      {"history --asg g --config " + c + " --out " + c, 2,
       "phas: InvalidArgument: --out " + c + same + "--config"},
      // Before the pull from AWS (here, before the scaler config is read).
      {"backtest --quiet --asg g --scaler-config " + c + " --json " + c, 2,
       "phas: InvalidArgument: --json " + c + same + "--scaler-config"},
  };
  for (const Case& tc : cases) {
    ExpectRefused(tc, Phas(tc.args));
    EXPECT_EQ(testing::ReadAll(t), csv) << tc.args;
    EXPECT_EQ(testing::ReadAll(c), yaml) << tc.args;
    EXPECT_FALSE(std::filesystem::exists(dir_ / "o")) << tc.args;
  }
}

// `phas train --no-backtest --out` the original's directory is refused: the
// default baseline was set only with the comparison on, so the check never
// saw it, and the original's model (which nothing rebuilds) was written over.
TEST_F(BadFlagsTest, TrainNeverWritesOverTheOriginalsModel) {
  namespace fs = std::filesystem;
  const fs::path data = dir_ / "data";
  fs::create_directories(data / "models");
  fs::copy(std::string(PHAS_SOURCE_DIR) + "/data/models/seed-original",
           data / "models" / "seed-original");
  fs::create_directories(dir_ / "traces");
  fs::copy_file(
      std::string(PHAS_SOURCE_DIR) + "/data/traces/nab_nyc_taxi_30min.csv",
      dir_ / "traces" / "t.csv");
  const std::string model = (data / "models/seed-original/model.json").string();
  const std::string before = testing::ReadAll(model);
  const char* old = std::getenv("PHAS_DATA_DIR");
  const std::string saved = old ? old : "";
  ::setenv("PHAS_DATA_DIR", data.c_str(), 1);
  auto r = Phas("train --traces " + (dir_ / "traces").string() + " --out " +
                (data / "models/seed-original").string() +
                " --no-backtest --no-validate --rounds 2 --hours 24");
  if (old) {
    ::setenv("PHAS_DATA_DIR", saved.c_str(), 1);
  } else {
    ::unsetenv("PHAS_DATA_DIR");
  }
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("is the --baseline model's directory"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(testing::ReadAll(model), before);
}

TEST_F(BadFlagsTest, ConfigPathsAreNamedByTheirKey) {
  const std::string file = Write("a-file", "x");
  const std::string out = "output_dir: " + (dir_ / "out").string() + "\n";
  struct Row {
    std::string keys;
    int exit_code;
    std::string want;  // after "<config>: "
  } rows[] = {
      // Was "IOError: /etc/passwd: Not a directory", exit 1, no key.
      {"output_dir: " + file + "\n", 2,
       "output_dir: '" + file + "' is not a directory\n"},
      {out + "state_path: " + dir_.string() + "\n", 2,
       "state_path: '" + dir_.string() + "' is a directory"},
      // Found only when opened: named too.
      {out + "state_path: " + file + "/x.db\n", 1, "state_path: "},
  };
  int n = 0;
  for (const Row& row : rows) {
    const std::string config =
        Write("phas" + std::to_string(n++) + ".yaml",
              "region: us-east-1\ngroups: [{name: web}]\n" + row.keys);
    const std::string kind =
        row.exit_code == 2 ? "InvalidArgument: " : "IOError: ";
    Case c{"scaler --once --config " + config, row.exit_code,
           "phas: " + kind + config + ": " + row.want};
    ExpectRefused(c, Phas(c.args));
  }
}

// The pre-flight check refuses what the daemon refuses at start (it said
// "result: ok" of a file with no group, or a group twice, that `phas scaler`
// then refused), exit 2, the same line.
TEST_F(BadFlagsTest, TheDoctorRefusesAConfigTheScalerRefuses) {
  const std::string twice = Write(
      "twice.yaml", "region: us-east-1\ngroups: [{name: web}, {name: web}]\n");
  for (const char* command : {"scaler --once", "doctor"}) {
    SCOPED_TRACE(command);
    testing::PhasRun r = Phas(std::string(command) + " --config " + twice);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("web"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("phas: InvalidArgument: " + twice, 0), 0u) << r.err;
  }
}

// phas forecast: 3 days of 5-minute samples are 3 days (the series ended
// at the last sample's start, 4315 minutes, and was refused); a model that
// made no forecast says so, and a ratio to an error of ~0 is no figure
// (it printed inf and 1e15 %).
TEST_F(BadFlagsTest, ForecastTakesThreeDaysAndSaysWhatItCannotScore) {
  std::string csv = "timestamp,value\n";
  for (int i = 0; i < 3 * 24 * 12; ++i) {
    csv += fmt::format("{},{}\n", 1700000000 + 300 * i,
                       100 + 50 * std::sin(2 * M_PI * i / 288.0));
  }
  const std::string trace = Write("three-days.csv", csv);
  testing::PhasRun r = Phas("forecast " + trace);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("inf"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no forecast"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace phas
