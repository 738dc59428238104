// DynamoDbClient: the few DynamoDB operations phas uses (the replicas' lease
// and shared state table, scaler/dynamo_ha.h), over QueryClient's JSON 1.0
// protocol: POST /, X-Amz-Target DynamoDB_20120810.<Op>, SigV4 service
// "dynamodb", the same retries as every other AWS call (throttling,
// ProvisionedThroughputExceededException, 5xx, timeouts).
//
// Items are DynamoDB's attribute-value JSON ({"pk": {"S": "x"}, "n": {"N":
// "1"}}); the helpers below build and read the S and N kinds.
//
// Errors: as QueryClient's; a write whose ConditionExpression did not hold
// is FailedPrecondition with detail "ConditionalCheckFailedException"
// (IsConditionFailed), never retried.
//
// Thread-safety: as the QueryClient it wraps (safe to share).
#ifndef PHAS_AWS_DYNAMODB_H_
#define PHAS_AWS_DYNAMODB_H_

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "aws/query_client.h"
#include "common/status.h"

namespace phas::aws {

using Item = nlohmann::json;  // attribute name -> attribute value

// {"S": s} and {"N": "n"}.
nlohmann::json AttrS(const std::string& s);
nlohmann::json AttrN(int64_t n);
// The S or N value of `item`'s attribute `name`; nullopt when absent or of
// another kind (or, for N, not an integer).
std::optional<std::string> GetS(const Item& item, const std::string& name);
std::optional<int64_t> GetN(const Item& item, const std::string& name);

// Whether `st` is a conditional write refused by its condition.
bool IsConditionFailed(const Status& st);

// An UpdateItem with its expressions.
struct WriteRequest {
  std::string table;
  Item key;
  std::string update_expression;
  std::string condition_expression;                  // empty: unconditional
  nlohmann::json names = nlohmann::json::object();   // #name -> attribute
  nlohmann::json values = nlohmann::json::object();  // :value -> value
};

class DynamoDbClient {
 public:
  // `client` must be a kDynamoDb session client (aws/session.h).
  explicit DynamoDbClient(std::shared_ptr<QueryClient> client)
      : client_(std::move(client)) {}

  // The item, or nullopt when there is none. Strongly consistent.
  Result<std::optional<Item>> GetItem(const std::string& table,
                                      const Item& key);
  // Updates (creating when missing); returns the item as it is after the
  // update (ReturnValues ALL_NEW).
  Result<Item> UpdateItem(const WriteRequest& r);
  // What phas needs of a table: NotFound when there is none.
  struct TableInfo {
    std::string status;  // "ACTIVE", ...
    // The key schema: "pk:S" for a partition key pk of type S, then
    // ",sk:N" for a sort key, as declared ("" where the answer said none).
    std::string key_schema;
  };
  Result<TableInfo> DescribeTable(const std::string& table);

  const ServiceEndpoint& endpoint() const { return client_->endpoint(); }

 private:
  Result<nlohmann::json> Call(const std::string& action,
                              const nlohmann::json& body);
  std::shared_ptr<QueryClient> client_;
};

}  // namespace phas::aws

#endif  // PHAS_AWS_DYNAMODB_H_
