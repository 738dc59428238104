// Status and Result<T>: how phas modules report failure to each other.
//
// Shaped like leveldb's Status: named factories, ok(), ToString(). A Status
// also says whether the failure is transient (worth retrying: throttling, a
// timeout, a 5xx) or permanent (bad input, missing permission), the way
// cluster-autoscaler separates transient errors from the rest.
//
// Foreign errors (CURLcode, AWS error codes, XGBoost's -1) are converted to a
// Status once, at the adapter that calls the foreign API.
//
// A failed request to a peer may still have been carried out by it (the
// answer was lost to a timeout or a reset, or was unreadable): such a Status
// says outcome_unknown(). A caller that changes the world (SetDesiredCapacity)
// must then act as if the change may have happened.
//
// Thread-safety: immutable values; safe to copy and read from any thread.
#ifndef PHAS_COMMON_STATUS_H_
#define PHAS_COMMON_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace phas {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,   // the caller's input is wrong
    kNotFound,          // a file, group or key does not exist
    kCorruption,        // stored data cannot be understood
    kIoError,           // the OS refused a read or write
    kUnavailable,       // a peer could not be reached or answered 5xx
    kPermissionDenied,  // credentials rejected or action not allowed
    kDeadlineExceeded,  // a timeout
    kFailedPrecondition,
    kInternal,
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(Code::kNotFound, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(Code::kCorruption, std::move(msg));
  }
  static Status IoError(std::string msg) {
    return Status(Code::kIoError, std::move(msg));
  }
  static Status Unavailable(std::string msg, bool retryable = true) {
    return Status(Code::kUnavailable, std::move(msg), retryable);
  }
  static Status PermissionDenied(std::string msg) {
    return Status(Code::kPermissionDenied, std::move(msg));
  }
  static Status DeadlineExceeded(std::string msg) {
    return Status(Code::kDeadlineExceeded, std::move(msg), true);
  }
  static Status FailedPrecondition(std::string msg) {
    return Status(Code::kFailedPrecondition, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(Code::kInternal, std::move(msg));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // True when trying again later may succeed (throttling, timeouts, 5xx).
  bool retryable() const { return retryable_; }

  // True when the failed request may still have been carried out by the
  // peer: it may have reached the peer, and no definite rejection came back
  // (a timeout after connecting, a reset while waiting for the answer, an
  // unreadable 2xx, a 5xx). False for OK and for definite rejections (an
  // error code from the peer, a refused connection, a DNS failure).
  bool outcome_unknown() const { return outcome_unknown_; }
  // Returns a copy marked outcome_unknown(); an OK Status is returned as is.
  Status WithOutcomeUnknown() const {
    Status s = *this;
    if (!ok()) s.outcome_unknown_ = true;
    return s;
  }

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsPermissionDenied() const { return code_ == Code::kPermissionDenied; }

  // Returns a copy whose message is "prefix: message" (detail and
  // outcome_unknown kept).
  Status WithContext(const std::string& prefix) const {
    if (ok()) return *this;
    Status s = *this;
    s.message_ = prefix + ": " + message_;
    return s;
  }

  // A machine-readable code from the source of the error, such as the AWS
  // error code ("Throttling", "AccessDenied"), or what happened to the
  // connection ("timeout", "connection_reset": see aws/http_transport.h).
  // Empty when there is none.
  const std::string& detail() const { return detail_; }
  // Returns a copy with this detail (outcome_unknown kept).
  Status WithDetail(std::string detail) const {
    Status s = *this;
    s.detail_ = std::move(detail);
    return s;
  }

  // "OK" or "<CodeName>: <message>".
  std::string ToString() const;
  static const char* CodeName(Code code);

 private:
  Status(Code code, std::string msg, bool retryable = false)
      : code_(code), message_(std::move(msg)), retryable_(retryable) {}

  Code code_ = Code::kOk;
  std::string message_;
  bool retryable_ = false;
  bool outcome_unknown_ = false;
  std::string detail_;
};

// Either a value or a non-OK Status. Accessing value() of an error aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    if (std::get<Status>(v_).ok()) {
      v_ = Status::Internal("Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace phas

// Returns early from the enclosing function when `expr` is a non-OK Status.
#define PHAS_RETURN_IF_ERROR(expr)       \
  do {                                   \
    ::phas::Status _phas_st = (expr);    \
    if (!_phas_st.ok()) return _phas_st; \
  } while (0)

#define PHAS_CONCAT_INNER(a, b) a##b
#define PHAS_CONCAT(a, b) PHAS_CONCAT_INNER(a, b)
// `PHAS_ASSIGN_OR_RETURN(auto x, Foo());` binds x or returns Foo()'s Status.
#define PHAS_ASSIGN_OR_RETURN(lhs, expr)             \
  auto PHAS_CONCAT(_phas_r_, __LINE__) = (expr);     \
  if (!PHAS_CONCAT(_phas_r_, __LINE__).ok())         \
    return PHAS_CONCAT(_phas_r_, __LINE__).status(); \
  lhs = std::move(PHAS_CONCAT(_phas_r_, __LINE__)).value()

#endif  // PHAS_COMMON_STATUS_H_
