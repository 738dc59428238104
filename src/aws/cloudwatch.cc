// CloudWatchApi (aws/services.h): GetMetricData, GetMetricStatistics.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "aws/services.h"
#include "aws/xml.h"
#include "common/json_util.h"

namespace phas::aws {
namespace {

void AddDimensions(QueryParams* p, const std::string& prefix,
                   const std::vector<MetricDimension>& dims) {
  for (size_t i = 0; i < dims.size(); ++i) {
    p->emplace_back(fmt::format("{}.member.{}.Name", prefix, i + 1),
                    dims[i].name);
    p->emplace_back(fmt::format("{}.member.{}.Value", prefix, i + 1),
                    dims[i].value);
  }
}

// A query as an operator reads it: "AWS/EC2 CPUUtilization Average
// InstanceId=i-0abc", or its expression.
std::string Describe(const MetricQuery& q) {
  if (!q.expression.empty()) return "expression " + q.expression;
  std::string d = q.ns + " " + q.metric_name + " " + q.stat;
  for (const MetricDimension& dim : q.dimensions) {
    d += " " + dim.name + "=" + dim.value;
  }
  return d;
}

}  // namespace

Result<std::vector<MetricSeries>> EveryQueryAnswered(
    Result<std::vector<MetricSeries>> r) {
  if (!r.ok()) return r;
  for (const MetricSeries& s : *r) {
    if (!s.status.ok()) return s.status;
  }
  return r;
}

Result<std::vector<MetricSeries>> CloudWatchApi::GetMetricData(
    const std::vector<MetricQuery>& queries, TimePoint start, TimePoint end) {
  std::vector<MetricSeries> out(queries.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < queries.size(); ++i) {
    out[i].id = queries[i].id;
    index[queries[i].id] = i;
  }
  // Each datapoint's page (numbered across batches) and series label (an
  // expression may answer several series under one id): a minute of a
  // series a later page answers again replaces the earlier answer.
  std::vector<std::vector<int>> page_of(queries.size());
  std::vector<std::vector<std::string>> label_of(queries.size());
  int page = 0;
  // Per query: why paging stopped before it was answered in full, if so.
  std::vector<std::string> cut(queries.size());
  // Per query: what of its answer did not read, if anything.
  std::vector<std::string> malformed(queries.size());
  for (size_t b = 0; b < queries.size(); b += kQueriesPerRequest) {
    std::string token;
    int pages = 0;  // this batch's
    int same = 0;   // pages in a row that answered the token sent
    do {
      QueryParams p;
      size_t end_i = std::min(queries.size(), b + kQueriesPerRequest);
      for (size_t i = b; i < end_i; ++i) {
        const MetricQuery& q = queries[i];
        std::string pre = fmt::format("MetricDataQueries.member.{}", i - b + 1);
        p.emplace_back(pre + ".Id", q.id);
        if (!q.expression.empty()) {
          p.emplace_back(pre + ".Expression", q.expression);
          p.emplace_back(pre + ".Period", std::to_string(q.period_seconds));
        } else {
          p.emplace_back(pre + ".MetricStat.Metric.Namespace", q.ns);
          p.emplace_back(pre + ".MetricStat.Metric.MetricName", q.metric_name);
          AddDimensions(&p, pre + ".MetricStat.Metric.Dimensions",
                        q.dimensions);
          p.emplace_back(pre + ".MetricStat.Period",
                         std::to_string(q.period_seconds));
          p.emplace_back(pre + ".MetricStat.Stat", q.stat);
        }
        p.emplace_back(pre + ".ReturnData", "true");
      }
      p.emplace_back("StartTime", FormatIso8601(start));
      p.emplace_back("EndTime", FormatIso8601(end));
      p.emplace_back("ScanBy", "TimestampAscending");
      if (!token.empty()) p.emplace_back("NextToken", token);
      PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("GetMetricData", p));
      pugi::xml_node result = Find(*doc, "GetMetricDataResult");
      for (pugi::xml_node m : Members(result, "MetricDataResults")) {
        auto it = index.find(Text(m, "Id"));
        if (it == index.end()) continue;
        MetricSeries& s = out[it->second];
        s.label = Text(m, "Label");
        // An InternalError answered with a NextToken is retried by the next
        // page, as AWS asks: its word holds. Forbidden is not retried: it
        // stays.
        if (s.status_code != "Forbidden") {
          s.status_code = Text(m, "StatusCode");
          s.message.clear();
          for (pugi::xml_node msg : Members(m, "Messages")) {
            std::string code = Text(msg, "Code");
            s.message = (code.empty() ? "" : code + ": ") + Text(msg, "Value");
            break;
          }
        }
        auto ts = Members(m, "Timestamps");
        auto vs = Members(m, "Values");
        if (ts.size() != vs.size() && malformed[it->second].empty()) {
          malformed[it->second] =
              fmt::format("{} Timestamps and {} Values", ts.size(), vs.size());
        }
        for (size_t k = 0; k < std::min(ts.size(), vs.size()); ++k) {
          TimePoint t;
          auto v = ToDouble(vs[k].child_value());
          if (!ParseIso8601(ts[k].child_value(), &t) || !v ||
              !std::isfinite(*v)) {
            if (malformed[it->second].empty()) {
              malformed[it->second] =
                  fmt::format("a datapoint that does not read ('{}' at '{}')",
                              Abbreviate(vs[k].child_value(), 40),
                              Abbreviate(ts[k].child_value(), 40));
            }
            continue;
          }
          // CloudWatch answers the window asked for. A minute after it (a
          // broken endpoint, a year 2100) would be the load history's
          // newest: every later minute refused as out of order, the older
          // ones cut as past the history's length.
          if (t > end) {
            if (malformed[it->second].empty()) {
              malformed[it->second] = fmt::format(
                  "a datapoint after the window's end {} (at '{}')",
                  FormatIso8601(end), Abbreviate(ts[k].child_value(), 40));
            }
            continue;
          }
          s.timestamps.push_back(t);
          s.values.push_back(*v);
          page_of[it->second].push_back(page);
          label_of[it->second].push_back(s.label);
        }
      }
      std::string next = Text(result, "NextToken");
      ++page;
      // The same token again asks to retry a page (an InternalError): a few
      // times.
      same = !next.empty() && next == token ? same + 1 : 0;
      ++pages;
      if (!next.empty() && (same > kSameTokenRetries || pages >= kMaxPages)) {
        // Paging stops: the queries of the batch not answered in full by
        // now are not answered (the others' answers stand).
        for (size_t i = b; i < std::min(queries.size(), b + kQueriesPerRequest);
             ++i) {
          MetricSeries& s = out[i];
          if (s.status_code == "Complete" || s.status_code == "Forbidden") {
            continue;
          }
          cut[i] = fmt::format(
              "still a NextToken after {} pages{}", pages,
              same > kSameTokenRetries ? ", the same one again and again" : "");
        }
        break;
      }
      token = std::move(next);
    } while (!token.empty());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    MetricSeries& s = out[i];
    // A query CloudWatch could not answer: named, so that its empty series
    // is not taken for an instance that published nothing.
    if (!malformed[i].empty()) {
      // Its series would hold what read, the minutes in between gone.
      s.status = Status::Unavailable(
                     fmt::format("GetMetricData query {} ({}) answered {}",
                                 s.id, Describe(queries[i]), malformed[i]))
                     .WithDetail(transport_error::kMalformedResponse);
    } else if (!cut[i].empty()) {
      s.status =
          Status::Unavailable(
              fmt::format("GetMetricData query {} ({}) not answered in full: "
                          "{} (last answered {}{})",
                          s.id, Describe(queries[i]), cut[i],
                          s.status_code.empty() ? "nothing" : s.status_code,
                          s.message.empty() ? "" : ": " + s.message))
              .WithDetail("Incomplete");
    } else if (s.status_code.empty()) {
      // CloudWatch answers every query asked to return data, with no
      // datapoint at least: one it never mentioned was not answered.
      s.status = Status::Unavailable(
                     fmt::format("GetMetricData query {} ({}) not answered: "
                                 "no result for it in CloudWatch's answer",
                                 s.id, Describe(queries[i])))
                     .WithDetail("Incomplete");
    } else if (s.status_code == "InternalError" ||
               s.status_code == "Forbidden") {
      std::string what =
          fmt::format("GetMetricData query {} ({}) answered {}{}", s.id,
                      Describe(queries[i]), s.status_code,
                      s.message.empty() ? "" : " (" + s.message + ")");
      s.status = (s.status_code == "Forbidden" ? Status::PermissionDenied(what)
                                               : Status::Unavailable(what))
                     .WithDetail(s.status_code);
    }
    // Pages need not arrive in time order: sort each series by timestamp.
    // A minute of one series (label) is kept as the last page that answered
    // it did (a retry answers it again); that page's several values for it
    // all, and every other series' value for it.
    const std::vector<int>& pg = page_of[i];
    const std::vector<std::string>& lb = label_of[i];
    std::vector<size_t> order(s.timestamps.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return s.timestamps[a] < s.timestamps[b];
    });
    std::vector<TimePoint> ts;
    std::vector<double> vs;
    for (size_t from = 0; from < order.size();) {
      size_t to = from;
      while (to < order.size() &&
             s.timestamps[order[to]] == s.timestamps[order[from]]) {
        ++to;
      }
      for (size_t k = from; k < to; ++k) {
        const size_t a = order[k];
        bool newest = true;
        for (size_t j = from; j < to && newest; ++j) {
          newest = lb[order[j]] != lb[a] || pg[order[j]] <= pg[a];
        }
        if (!newest) continue;
        ts.push_back(s.timestamps[a]);
        vs.push_back(s.values[a]);
      }
      from = to;
    }
    s.timestamps = std::move(ts);
    s.values = std::move(vs);
  }
  return out;
}

Result<std::vector<Datapoint>> CloudWatchApi::GetMetricStatistics(
    const std::string& ns, const std::string& metric_name,
    const std::vector<MetricDimension>& dimensions, TimePoint start,
    TimePoint end, int period_seconds,
    const std::vector<std::string>& statistics) {
  QueryParams p = {{"Namespace", ns}, {"MetricName", metric_name}};
  AddDimensions(&p, "Dimensions", dimensions);
  p.emplace_back("StartTime", FormatIso8601(start));
  p.emplace_back("EndTime", FormatIso8601(end));
  p.emplace_back("Period", std::to_string(period_seconds));
  for (size_t i = 0; i < statistics.size(); ++i) {
    p.emplace_back(fmt::format("Statistics.member.{}", i + 1), statistics[i]);
  }
  PHAS_ASSIGN_OR_RETURN(XmlDoc doc, client_->Call("GetMetricStatistics", p));
  std::vector<Datapoint> out;
  // As GetMetricData's rule: a datapoint that does not read fails the
  // answer, rather than be dropped or read in part.
  auto malformed = [&](const std::string& what) {
    return Status::Unavailable(
               fmt::format("GetMetricStatistics {} {}: a datapoint that does "
                           "not read ({})",
                           ns, metric_name, what))
        .WithDetail(transport_error::kMalformedResponse);
  };
  for (pugi::xml_node m :
       Members(Find(*doc, "GetMetricStatisticsResult"), "Datapoints")) {
    Datapoint d;
    const std::string time = Text(m, "Timestamp");
    if (!ParseIso8601(time, &d.timestamp)) {
      return malformed(fmt::format("Timestamp '{}'", Abbreviate(time, 40)));
    }
    for (auto [name, field] :
         {std::pair{"Average", &d.average}, std::pair{"Maximum", &d.maximum},
          std::pair{"Minimum", &d.minimum}, std::pair{"Sum", &d.sum},
          std::pair{"SampleCount", &d.sample_count}}) {
      const std::string text = Text(m, name);
      if (text.empty()) continue;  // a statistic not asked for
      *field = ToDouble(text);
      if (!*field || !std::isfinite(**field)) {
        return malformed(
            fmt::format("{} '{}' at '{}'", name, Abbreviate(text, 40), time));
      }
    }
    d.unit = Text(m, "Unit");
    out.push_back(d);
  }
  std::sort(out.begin(), out.end(), [](const Datapoint& a, const Datapoint& b) {
    return a.timestamp < b.timestamp;
  });
  return out;
}

}  // namespace phas::aws
