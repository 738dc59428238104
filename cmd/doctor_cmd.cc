// `phas doctor`: checks credentials, region, endpoints and permissions.
#include <cstdio>
#include <memory>

#include "aws/doctor.h"
#include "aws/environment.h"
#include "aws/session.h"
#include "cmd/commands.h"
#include "common/clock.h"

namespace phas {

void RegisterDoctorCommand(CLI::App& app, int* exit_code) {
  struct Flags {
    std::string region;
    aws::DoctorOptions doctor;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand("doctor",
                                     "Check AWS credentials, region, endpoints "
                                     "and every permission phas needs");
  cmd->add_option("--region", flags->region,
                  "AWS region (default: the SDK resolution order)");
  cmd->add_option("--asg", flags->doctor.asg, "Auto Scaling group to check");
  cmd->add_flag("--check-write", flags->doctor.check_write,
                "Also call SetDesiredCapacity, with the group's current "
                "desired capacity");
  cmd->callback([flags, exit_code] {
    SystemClock clock;
    aws::AwsOptions opts;
    opts.region = flags->region;
    auto session =
        aws::AwsSession::Create(opts, aws::ProcessEnvironment(), &clock);
    if (!session.ok()) {
      *exit_code = ReportError(session.status());
      return;
    }
    aws::DoctorReport rep = aws::RunDoctor(**session, flags->doctor, &clock);
    std::fputs(rep.ToText().c_str(), stdout);
    *exit_code = rep.ok() ? kExitOk : kExitFailure;
  });
}

}  // namespace phas
