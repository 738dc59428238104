#include "aws/dynamodb.h"

#include <charconv>
#include <map>

namespace phas::aws {
namespace {

using nlohmann::json;

constexpr char kTargetPrefix[] = "DynamoDB_20120810";

nlohmann::json WriteBody(const WriteRequest& r) {
  nlohmann::json body = {{"TableName", r.table},
                         {"Key", r.key},
                         {"UpdateExpression", r.update_expression}};
  if (!r.condition_expression.empty()) {
    body["ConditionExpression"] = r.condition_expression;
  }
  if (!r.names.empty()) body["ExpressionAttributeNames"] = r.names;
  if (!r.values.empty()) body["ExpressionAttributeValues"] = r.values;
  return body;
}

}  // namespace

nlohmann::json AttrS(const std::string& s) { return {{"S", s}}; }
nlohmann::json AttrN(int64_t n) { return {{"N", std::to_string(n)}}; }

std::optional<std::string> GetS(const Item& item, const std::string& name) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_object()) return std::nullopt;
  auto s = it->find("S");
  if (s == it->end() || !s->is_string()) return std::nullopt;
  return s->get<std::string>();
}

std::optional<int64_t> GetN(const Item& item, const std::string& name) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_object()) return std::nullopt;
  auto n = it->find("N");
  if (n == it->end() || !n->is_string()) return std::nullopt;
  const std::string& text = n->get_ref<const std::string&>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

bool IsConditionFailed(const Status& st) {
  return st.code() == Status::Code::kFailedPrecondition &&
         st.detail() == "ConditionalCheckFailedException";
}

Result<nlohmann::json> DynamoDbClient::Call(const std::string& action,
                                            const nlohmann::json& body) {
  return client_->CallJson(kTargetPrefix, action, body);
}

Result<std::optional<Item>> DynamoDbClient::GetItem(const std::string& table,
                                                    const Item& key) {
  PHAS_ASSIGN_OR_RETURN(
      nlohmann::json out,
      Call("GetItem",
           {{"TableName", table}, {"Key", key}, {"ConsistentRead", true}}));
  auto it = out.find("Item");
  if (it == out.end()) return std::optional<Item>();
  if (!it->is_object()) {
    return Status::Unavailable("dynamodb GetItem: Item is not an object")
        .WithDetail(transport_error::kMalformedResponse);
  }
  return std::optional<Item>(*it);
}

Result<Item> DynamoDbClient::UpdateItem(const WriteRequest& r) {
  nlohmann::json body = WriteBody(r);
  body["ReturnValues"] = "ALL_NEW";
  PHAS_ASSIGN_OR_RETURN(nlohmann::json out, Call("UpdateItem", body));
  auto it = out.find("Attributes");
  if (it == out.end() || !it->is_object()) return Item::object();
  return *it;
}

Result<DynamoDbClient::TableInfo> DynamoDbClient::DescribeTable(
    const std::string& table) {
  PHAS_ASSIGN_OR_RETURN(nlohmann::json out,
                        Call("DescribeTable", {{"TableName", table}}));
  auto t = out.find("Table");
  if (t == out.end() || !t->is_object() || !t->contains("TableStatus") ||
      !(*t)["TableStatus"].is_string()) {
    return Status::Unavailable("dynamodb DescribeTable: no TableStatus")
        .WithDetail(transport_error::kMalformedResponse);
  }
  TableInfo info;
  info.status = (*t)["TableStatus"].get<std::string>();
  // Each key's name and declared type, the partition key (HASH) first.
  std::map<std::string, std::string> types;
  if (auto defs = t->find("AttributeDefinitions");
      defs != t->end() && defs->is_array()) {
    for (const auto& a : *defs) {
      if (a.is_object() && a.value("AttributeName", json()).is_string() &&
          a.value("AttributeType", json()).is_string()) {
        types[a["AttributeName"]] = a["AttributeType"];
      }
    }
  }
  if (auto keys = t->find("KeySchema"); keys != t->end() && keys->is_array()) {
    for (const char* kind : {"HASH", "RANGE"}) {
      for (const auto& k : *keys) {
        if (!k.is_object() || k.value("KeyType", json()) != kind ||
            !k.value("AttributeName", json()).is_string()) {
          continue;
        }
        std::string name = k["AttributeName"];
        info.key_schema += (info.key_schema.empty() ? "" : ",") + name + ":" +
                           (types.count(name) ? types[name] : "?");
      }
    }
  }
  return info;
}

}  // namespace phas::aws
