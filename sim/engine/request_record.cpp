#include "sim/engine/request_record.h"

namespace llmsim::sim {

std::string_view to_string(RequestStatus status) {
  switch (status) {
    case RequestStatus::unfinished:
      return "unfinished";
    case RequestStatus::completed:
      return "completed";
    case RequestStatus::rejected:
      return "rejected";
  }
  return "unknown";
}

std::string_view to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::none:
      return "";
    case RejectReason::kv_capacity:
      return "kv_capacity";
    case RejectReason::batch_budget:
      return "batch_budget";
    case RejectReason::context_length:
      return "context_length";
  }
  return "unknown";
}

}  // namespace llmsim::sim
