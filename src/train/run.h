// The whole `phas train` run: traces -> dataset -> leave-one-trace-out
// validation -> final model -> backtest of the seed policy with the new model
// against the original's -> bundle with its card.
//
// Thread-safety: single-threaded use (traces are replayed in parallel
// inside, deterministically).
#ifndef PHAS_TRAIN_RUN_H_
#define PHAS_TRAIN_RUN_H_

#include <cstdio>
#include <string>
#include <vector>

#include "train/trainer.h"

namespace phas::train {

struct TrainRunOptions {
  std::string traces_dir;
  std::string out_dir;
  // The model the new one is compared with (the original's).
  std::string baseline_model;
  DatasetOptions dataset;
  TrainOptions train;
  bool validate = true;  // leave-one-trace-out
  bool backtest = true;  // seed policy, new model vs baseline
  // Hours of each trace the comparison backtest replays (0: all). The
  // original's model keeps the group at its maximum, which makes a full
  // replay slow. Default: 168 (a week).
  double backtest_hours = 168;
  FILE* log = stderr;
};

struct TrainReport {
  std::vector<std::string> traces;
  long examples = 0;
  long per_class[3] = {0, 0, 0};
  ClassReport loto;
  std::string backtest_markdown;
};

Result<TrainReport> RunTraining(const TrainRunOptions& options);

}  // namespace phas::train

#endif  // PHAS_TRAIN_RUN_H_
