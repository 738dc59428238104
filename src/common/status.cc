#include "common/status.h"

namespace phas {

const char* Status::CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kCorruption:
      return "Corruption";
    case Code::kIoError:
      return "IOError";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kDeadlineExceeded:
      return "DeadlineExceeded";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

}  // namespace phas
