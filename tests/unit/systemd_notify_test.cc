// sd_notify as systemd sees it: the test binds the datagram socket systemd
// would, points NOTIFY_SOCKET at it and reads what phas sends.
#include "common/systemd_notify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include "notify_socket.h"

namespace phas {
namespace {

using phas::testing::NotifySocket;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

class SystemdNotifyTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearEnv(); }
  void TearDown() override { ClearEnv(); }
  static void ClearEnv() {
    for (const char* v : {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"}) {
      ::unsetenv(v);
    }
  }
  std::string SocketPath() const {
    return (std::filesystem::temp_directory_path() /
            ("phas_notify_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name()))
        .string();
  }
  // Binds the socket systemd would listen on and exports NOTIFY_SOCKET.
  void Listen() {
    socket_ = std::make_unique<NotifySocket>(SocketPath());
    ASSERT_TRUE(socket_->ok()) << socket_->error();
    ::setenv("NOTIFY_SOCKET", socket_->path().c_str(), 1);
  }
  std::optional<std::string> Receive(milliseconds wait = milliseconds(0)) {
    return socket_->Receive(wait);
  }

  std::unique_ptr<NotifySocket> socket_;
};

TEST_F(SystemdNotifyTest, NoSocketIsANoOp) {
  auto sent = SystemdNotify(kNotifyReady);
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();
  EXPECT_FALSE(*sent);
  EXPECT_EQ(SystemdWatchdogTimeout(), microseconds::zero());
  EXPECT_EQ(EnsureWatchdogTimeout(seconds(30)), microseconds::zero());
}

TEST_F(SystemdNotifyTest, SendsEachStateAsOneDatagram) {
  Listen();
  struct Case {
    const char* name;
    std::string state;
  } cases[] = {
      {"ready with status", ReadyState("2 group(s), interval 10 s")},
      {"ready without status", ReadyState("")},
      {"watchdog", kNotifyWatchdog},
      {"stopping", kNotifyStopping},
  };
  const char* want[] = {"READY=1\nSTATUS=2 group(s), interval 10 s", "READY=1",
                        "WATCHDOG=1", "STOPPING=1"};
  for (size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(cases[i].name);
    auto sent = SystemdNotify(cases[i].state);
    ASSERT_TRUE(sent.ok()) << sent.status().ToString();
    EXPECT_TRUE(*sent);
    EXPECT_EQ(Receive(), std::optional<std::string>(want[i]));
  }
  EXPECT_EQ(Receive(), std::nullopt);
}

TEST_F(SystemdNotifyTest, UnreachableSocketIsAnErrorNamingIt) {
  std::string path = SocketPath();
  ::unlink(path.c_str());
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);  // nothing bound there
  auto sent = SystemdNotify(kNotifyWatchdog);
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.status().ToString().find(path), std::string::npos)
      << sent.status().ToString();
  SystemdNotifyOrWarn(kNotifyWatchdog);  // logs, does not throw or abort
}

TEST_F(SystemdNotifyTest, WatchdogTimeoutFromEnvironment) {
  struct Case {
    const char* name;
    const char* usec;  // WATCHDOG_USEC, nullptr: unset
    std::string pid;   // WATCHDOG_PID, "": unset
    microseconds want;
  } cases[] = {
      {"unset", nullptr, "", microseconds::zero()},
      {"for this process, no pid", "5000000", "", seconds(5)},
      {"for this process", "250000", std::to_string(::getpid()),
       milliseconds(250)},
      {"for another process", "5000000", std::to_string(::getpid() + 1),
       microseconds::zero()},
      {"not a number", "soon", "", microseconds::zero()},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    if (tc.usec) {
      ::setenv("WATCHDOG_USEC", tc.usec, 1);
    } else {
      ::unsetenv("WATCHDOG_USEC");
    }
    if (!tc.pid.empty()) {
      ::setenv("WATCHDOG_PID", tc.pid.c_str(), 1);
    } else {
      ::unsetenv("WATCHDOG_PID");
    }
    EXPECT_EQ(SystemdWatchdogTimeout(), tc.want);
  }
}

TEST_F(SystemdNotifyTest, EnsureWatchdogTimeoutAsksOnlyWhenShorter) {
  Listen();
  ::setenv("WATCHDOG_USEC", "60000000", 1);
  // 60 s already covers 30 s: nothing sent.
  EXPECT_EQ(EnsureWatchdogTimeout(seconds(30)), seconds(60));
  EXPECT_EQ(Receive(), std::nullopt);
  // 60 s does not cover 180 s: systemd is asked for 180 s.
  EXPECT_EQ(EnsureWatchdogTimeout(seconds(180)), seconds(180));
  EXPECT_EQ(Receive(), std::optional<std::string>("WATCHDOG_USEC=180000000"));
}

TEST_F(SystemdNotifyTest, WatchdogThreadPingsOnlyWhenHealthy) {
  Listen();
  bool healthy = true;
  // A period far beyond the test: only the direct Tick()s send.
  WatchdogThread dog(std::chrono::hours(1), [&healthy] { return healthy; });
  EXPECT_TRUE(dog.Tick());
  EXPECT_EQ(Receive(), std::optional<std::string>("WATCHDOG=1"));
  healthy = false;
  EXPECT_FALSE(dog.Tick());
  EXPECT_EQ(Receive(), std::nullopt);
  healthy = true;
  EXPECT_TRUE(dog.Tick());
  EXPECT_EQ(Receive(), std::optional<std::string>("WATCHDOG=1"));
}

TEST_F(SystemdNotifyTest, WatchdogThreadPingsEveryPeriodUntilDestroyed) {
  Listen();
  {
    WatchdogThread dog(milliseconds(10), [] { return true; });
    // Generous bounds: this shows that pings come on their own, not how fast.
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(Receive(seconds(10)), std::optional<std::string>("WATCHDOG=1"));
    }
  }
  while (Receive()) {
  }  // drain what was sent before the thread stopped
  EXPECT_EQ(Receive(milliseconds(100)), std::nullopt);
}

}  // namespace
}  // namespace phas
