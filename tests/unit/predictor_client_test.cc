// BundlePredictor remembers its last answer: asked again with other inputs,
// it answers for those, not the remembered ones.
#include "scaler/predictor_client.h"

#include <gtest/gtest.h>

#include <optional>

#include "test_util.h"

namespace phas {
namespace {

// A load level: CPU and memory in %, the rest following them.
Features At(double cpu) {
  Features f;
  f.cpu_usage = cpu;
  f.memory_usage = cpu;
  f.network_traffic = 10 * cpu;
  f.power_consumption = 2 * cpu;
  f.num_executed_instructions = 100 * cpu;
  f.execution_time = cpu;
  f.energy_efficiency = 0.5;
  f.task_type = "compute";
  f.task_priority = "medium";
  return f;
}

TEST(BundlePredictorTest, AnswersEachInputNotTheRememberedOne) {
  auto model = ModelBundle::Load(testing::SourcePath("data/models/default"));
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  // Two inputs the model classes differently, each asked of a fresh
  // predictor (nothing remembered).
  auto fresh = [&](double cpu) {
    BundlePredictor p(*model);
    auto a = p.Predict(At(cpu));
    EXPECT_TRUE(a.ok());
    return a.ok() ? a->cls : -1;
  };
  std::optional<double> low, high;
  for (double cpu = 0; cpu <= 100 && !high; cpu += 5) {
    if (!low) {
      low = cpu;
    } else if (fresh(cpu) != fresh(*low)) {
      high = cpu;
    }
  }
  ASSERT_TRUE(high) << "the model gives every CPU level the same class";
  BundlePredictor p(*model);
  for (double cpu : {*low, *low, *high, *high, *low, *high}) {
    auto a = p.Predict(At(cpu));
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->cls, fresh(cpu)) << "cpu " << cpu;
  }
}

}  // namespace
}  // namespace phas
