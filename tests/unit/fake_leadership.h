// FakeLeadership: a Leadership (scaler/lease.h) the test sets by hand: the
// view every group gets, and the answers of the next MayAct calls.
#ifndef PHAS_TESTS_UNIT_FAKE_LEADERSHIP_H_
#define PHAS_TESTS_UNIT_FAKE_LEADERSHIP_H_

#include <deque>
#include <functional>
#include <string>

#include "scaler/lease.h"

namespace phas::testing {

class FakeLeadership final : public Leadership {
 public:
  const std::string& holder_id() const override { return id; }
  const LeaseOptions& options() const override { return opts; }
  void Renew(TimePoint) override { ++renews; }
  // Runs `on_group_renew` (a test's change of the view).
  void RenewGroup(const std::string&, TimePoint) override {
    ++group_renews;
    if (on_group_renew) on_group_renew();
  }
  // The next scripted answer; then OK when held, else a refusal.
  Status MayAct(const std::string&) const override {
    ++may_act_calls;
    if (!script.empty()) {
      Status s = script.front();
      script.pop_front();
      return s;
    }
    return view.held ? Status::OK()
                     : Status::FailedPrecondition("standby: not held");
  }
  LeaseView View(const std::string&) const override { return view; }
  void ReleaseAll() override { view.held = false; }

  // Held by this replica, acquired for the `term`-th time.
  void Hold(uint64_t term) {
    view.held = true;
    view.valid = true;
    view.term = term;
    view.holder = id;
  }
  void LoseTo(const std::string& other) {
    view.held = false;
    view.valid = false;
    view.holder = other;
  }

  std::string id = "replica-a";
  LeaseOptions opts;
  LeaseView view;
  mutable std::deque<Status> script;
  mutable int may_act_calls = 0;
  int renews = 0;
  int group_renews = 0;
  std::function<void()> on_group_renew;
};

}  // namespace phas::testing

#endif  // PHAS_TESTS_UNIT_FAKE_LEADERSHIP_H_
