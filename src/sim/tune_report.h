// How a tuning result (sim/tune.h) is shown: text for people (the windows,
// each policy's frontier, the recommendation, the check on the score window
// and the snippet to paste) and JSON for machines.
//
// Thread-safety: stateless functions.
#ifndef PHAS_SIM_TUNE_REPORT_H_
#define PHAS_SIM_TUNE_REPORT_H_

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "sim/tune.h"

namespace phas {

std::string TuneText(const TuneResult& r);
nlohmann::json TuneJson(const TuneResult& r);

}  // namespace phas

#endif  // PHAS_SIM_TUNE_REPORT_H_
