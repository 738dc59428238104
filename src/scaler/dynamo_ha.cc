#include "scaler/dynamo_ha.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

namespace phas {
namespace {

using aws::AttrN;
using aws::AttrS;
using aws::Item;
using aws::WriteRequest;

aws::Item GroupKey(const std::string& group) {
  return {{"pk", AttrS("group:" + group)}};
}

int64_t UnixMs(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

TimePoint FromUnixMs(int64_t ms) {
  return TimePoint(
      std::chrono::duration_cast<Duration>(std::chrono::milliseconds(ms)));
}

double SecondsOf(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// A write on `group`'s item whose condition is `condition`, with the
// attribute names every expression here uses.
WriteRequest GroupWrite(const std::string& table, const std::string& group,
                        std::string update, std::string condition) {
  WriteRequest w;
  w.table = table;
  w.key = GroupKey(group);
  w.update_expression = std::move(update);
  w.condition_expression = std::move(condition);
  w.names = {{"#h", "holder"},
             {"#e", "expires_ms"},
             {"#s", "state"},
             {"#t", "saved_ms"},
             {"#v", "acquisitions"}};
  // DynamoDB refuses names an expression does not use.
  for (const char* n : {"#h", "#e", "#s", "#t", "#v"}) {
    if (w.update_expression.find(n) == std::string::npos &&
        w.condition_expression.find(n) == std::string::npos) {
      w.names.erase(n);
    }
  }
  return w;
}

}  // namespace

Status CheckHaTable(aws::DynamoDbClient* db, const std::string& table) {
  auto status = db->DescribeTable(table);
  std::string create = fmt::format(
      "aws dynamodb create-table --table-name {} --attribute-definitions "
      "AttributeName=pk,AttributeType=S --key-schema "
      "AttributeName=pk,KeyType=HASH --billing-mode PAY_PER_REQUEST",
      table);
  if (!status.ok()) {
    if (status.status().code() == Status::Code::kNotFound) {
      return Status::NotFound(fmt::format(
          "ha.dynamodb_table: table {} not found in {} (create it: {})", table,
          db->endpoint().region, create));
    }
    return status.status().WithContext("ha.dynamodb_table " + table);
  }
  if (status->status != "ACTIVE" && status->status != "UPDATING") {
    return Status::Unavailable(
        fmt::format("ha.dynamodb_table: table {} is {}, not ACTIVE", table,
                    status->status));
  }
  // Another key (a table made for something else): every lease's write is
  // refused, and every replica stood by for ever, warning each cycle.
  if (status->key_schema != "pk:S") {
    return Status::InvalidArgument(fmt::format(
        "ha.dynamodb_table: table {} is keyed {}, and phas needs a partition "
        "key pk of type S and no sort key (create one: {})",
        table, status->key_schema.empty() ? "(no key)" : status->key_schema,
        create));
  }
  return Status::OK();
}

DynamoLeases::DynamoLeases(aws::DynamoDbClient* db, std::string table,
                           std::vector<std::string> groups,
                           LeaseOptions options, std::string holder_id,
                           std::function<SteadyTime()> steady)
    : db_(db),
      table_(std::move(table)),
      groups_(std::move(groups)),
      options_(options),
      holder_(std::move(holder_id)),
      steady_(std::move(steady)) {
  if (!steady_) steady_ = [] { return std::chrono::steady_clock::now(); };
  for (const std::string& g : groups_) entries_[g];
}

void DynamoLeases::Read(const std::string& group, Entry* e) {
  auto item = db_->GetItem(table_, GroupKey(group));
  if (!item.ok()) {
    e->view.last_error = item.status();
    return;
  }
  e->view.holder.clear();
  e->view.expires = TimePoint();
  if (!item->has_value()) return;
  const Item& it = **item;
  e->view.holder = aws::GetS(it, "holder").value_or("");
  e->view.expires = FromUnixMs(aws::GetN(it, "expires_ms").value_or(0));
}

bool DynamoLeases::Mine(const std::string& holder) const {
  return holder == holder_ || holder.starts_with(holder_ + "/");
}

void DynamoLeases::RenewOne(const std::string& group, TimePoint now, Entry* e) {
  LeaseView& v = e->view;
  // Held by another and not over by our clock: only look (a write would be
  // refused).
  if (!v.held && !v.holder.empty() && !Mine(v.holder) && now < v.expires) {
    Read(group, e);
    return;
  }
  SteadyTime sent = steady_();
  // Fencing. Every acquisition, by any replica, adds one to the item's
  // `acquisitions` and writes a holder value of its own (the replica's id
  // and its term); a renew continues the lease only while the item holds
  // both as this acquisition left them, and the state's saves are
  // conditioned on both (Fence). So a write that lands late (a retry's
  // first attempt, a healed partition) after another replica took the
  // lease, acted and let it go is never a continuation: before, a renew
  // landing then succeeded (no holder), in the same term, and the replica
  // acted inside the other's cooldown and saved over its record. A
  // continuing renew that succeeds proves no other acquisition came
  // between, however late by this replica's own clock.
  const bool continuing = v.held && e->fence.has_value();
  const std::string token =
      continuing ? e->fence->holder : fmt::format("{}/{}", holder_, v.term + 1);
  WriteRequest w =
      continuing
          ? GroupWrite(table_, group, "SET #e = :exp", "#h = :me AND #v = :v")
          : GroupWrite(table_, group, "SET #h = :me, #e = :exp ADD #v :one",
                       "attribute_not_exists(#h) OR #e < :now OR #h = :me");
  w.values = {{":me", AttrS(token)},
              {":exp", AttrN(UnixMs(now + options_.duration))}};
  if (continuing) {
    w.values[":v"] = AttrN(e->fence->acquisitions);
  } else {
    w.values[":now"] = AttrN(UnixMs(now));
    w.values[":one"] = AttrN(1);
  }
  auto r = db_->UpdateItem(w);
  std::optional<int64_t> acquisitions =
      r.ok() ? aws::GetN(*r, "acquisitions") : std::nullopt;
  if (r.ok() && !continuing && !acquisitions) {
    // Taken, but the answer did not say the count (an endpoint that
    // ignores ReturnValues): read it. Not read, the term moves on all the
    // same, so the next try is a new acquisition, never the same write
    // again and again while nobody acts.
    auto item = db_->GetItem(table_, GroupKey(group));
    if (item.ok() && item->has_value() &&
        aws::GetS(**item, "holder") == token) {
      acquisitions = aws::GetN(**item, "acquisitions");
    }
    if (!acquisitions) {
      ++v.term;
      r = Status::Unavailable(
          "UpdateItem: the lease was written but its count of acquisitions "
          "could not be read (ReturnValues ALL_NEW, then GetItem)");
    }
  }
  if (r.ok()) {
    if (!continuing) {
      ++v.term;
      e->fence = LeaseFence{token, *acquisitions};
      spdlog::info("ha: group {}: lease acquired by {} (term {})", group, token,
                   v.term);
    } else if (!v.last_error.ok()) {
      spdlog::info("ha: group {}: lease renewed again", group);
    }
    v.held = true;
    v.holder = token;
    v.expires = now + options_.duration;
    v.last_error = Status::OK();
    e->renew_sent = sent;
    return;
  }
  if (aws::IsConditionFailed(r.status())) {
    if (v.held) {
      spdlog::warn(
          "ha: group {}: lease lost (another replica took it, or took it and "
          "let it go, since this one's last renew)",
          group);
    }
    v.held = false;
    v.last_error = Status::OK();
    e->fence.reset();
    e->renew_sent.reset();
    Read(group, e);
    return;
  }
  if (v.last_error.ok()) {
    spdlog::warn("ha: group {}: lease not renewed: {}", group,
                 r.status().message());
  }
  v.last_error = r.status();
}

void DynamoLeases::Renew(TimePoint now) {
  for (const std::string& g : groups_) RenewGroup(g, now);
}

void DynamoLeases::RenewGroup(const std::string& group, TimePoint now) {
  Entry e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(group);
    if (it == entries_.end()) return;
    e = it->second;
  }
  RenewOne(group, now, &e);
  std::lock_guard<std::mutex> lock(mu_);
  entries_[group] = e;
}

std::optional<LeaseFence> DynamoLeases::Fence(const std::string& group) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(group);
  if (it == entries_.end() || !it->second.view.held) return std::nullopt;
  return it->second.fence;
}

Status DynamoLeases::MayAct(const std::string& group) const {
  SteadyTime now = steady_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(group);
  if (it == entries_.end()) {
    return Status::FailedPrecondition("no lease kept for group " + group);
  }
  const Entry& e = it->second;
  if (!e.view.held || !e.renew_sent) {
    return Status::FailedPrecondition(
        e.view.holder.empty()
            ? "standby: the group's lease is not held by this replica"
            : "standby: the group's lease is held by " + e.view.holder);
  }
  if (!LeaseValidAt(*e.renew_sent, now, options_)) {
    return Status::FailedPrecondition(fmt::format(
        "lease not renewed for {:.1f} s (acts only within {:.0f} s of a "
        "renew){}",
        SecondsOf(now - *e.renew_sent),
        std::chrono::duration<double>(options_.duration - options_.margin)
            .count(),
        e.view.last_error.ok() ? "" : ": " + e.view.last_error.message()));
  }
  return Status::OK();
}

LeaseView DynamoLeases::View(const std::string& group) const {
  SteadyTime now = steady_();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(group);
  if (it == entries_.end()) return {};
  LeaseView v = it->second.view;
  v.valid = v.held && it->second.renew_sent &&
            LeaseValidAt(*it->second.renew_sent, now, options_);
  return v;
}

void DynamoLeases::ReleaseAll() {
  for (const std::string& g : groups_) {
    TimePoint expires;
    std::string token;
    {
      std::lock_guard<std::mutex> lock(mu_);
      Entry& e = entries_[g];
      if (!e.view.held || !e.fence) continue;
      e.view.held = false;
      e.renew_sent.reset();
      expires = e.view.expires;
      token = e.fence->holder;
      e.fence.reset();
    }
    WriteRequest w =
        GroupWrite(table_, g, "SET #e = :zero REMOVE #h", "#h = :me");
    w.values = {{":me", AttrS(token)}, {":zero", AttrN(0)}};
    auto r = db_->UpdateItem(w);
    if (r.ok()) {
      spdlog::info("ha: group {}: lease released", g);
    } else if (!aws::IsConditionFailed(r.status())) {
      spdlog::warn("ha: group {}: lease not released ({}); it ends at {}", g,
                   r.status().message(), FormatIso8601(expires));
    }
  }
}

DynamoStateStore::DynamoStateStore(
    aws::DynamoDbClient* db, std::string table,
    std::function<std::optional<LeaseFence>(const std::string&)> fence_of,
    std::vector<std::string> groups, std::unique_ptr<StateStore> series)
    : db_(db),
      table_(std::move(table)),
      fence_of_(std::move(fence_of)),
      groups_(std::move(groups)),
      series_(std::move(series)) {}

std::string DynamoStateStore::Describe() const {
  return fmt::format("DynamoDB table {} (load history: {})", table_,
                     series_->Describe());
}

Result<std::map<std::string, StoredGroup>> DynamoStateStore::LoadAll() {
  return LoadGroups(groups_);
}

Result<std::map<std::string, StoredGroup>> DynamoStateStore::LoadGroups(
    const std::vector<std::string>& groups) {
  std::map<std::string, StoredGroup> out;
  for (const std::string& g : groups) {
    auto item = db_->GetItem(table_, GroupKey(g));
    if (!item.ok()) {
      return item.status().WithContext(
          fmt::format("DynamoDB table {}: group {}", table_, g));
    }
    if (!item->has_value() || !(**item).contains("state")) continue;
    // A record that does not read is the group's alone (`unreadable`: its
    // new holder does not act on it); never "none saved", whose last
    // action would be forgotten.
    std::optional<std::string> text = aws::GetS(**item, "state");
    auto stored = text ? FromJson(*text)
                       : Status::Corruption("state: must be a string (S)");
    if (!stored.ok()) {
      out[g].unreadable = fmt::format("DynamoDB table {}: group {}: {}", table_,
                                      g, stored.status().message());
      continue;
    }
    out[g] = std::move(stored).value();
  }
  return out;
}

Status DynamoStateStore::Save(const std::string& group,
                              const std::string& policy,
                              const GroupState& state) {
  const std::optional<LeaseFence> fence = fence_of_(group);
  if (!fence) {
    return Status::FailedPrecondition(fmt::format(
        "group {}: this replica does not hold the group's lease", group));
  }
  WriteRequest w =
      GroupWrite(table_, group, "SET #s = :s, #t = :t", "#h = :me AND #v = :v");
  w.values = {{":s", AttrS(ToJson(policy, state))},
              {":t", AttrN(UnixMs(std::chrono::system_clock::now()))},
              {":me", AttrS(fence->holder)},
              {":v", AttrN(fence->acquisitions)}};
  auto r = db_->UpdateItem(w);
  if (aws::IsConditionFailed(r.status())) {
    return Status::FailedPrecondition(fmt::format(
        "group {}: this replica no longer holds the group's lease", group));
  }
  return r.status();
}

}  // namespace phas
