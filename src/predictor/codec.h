// The JSON codec of the prediction API: request bodies to validated model
// inputs, predictions to response bodies. Pure functions; no I/O.
//
// Accepted request forms (docs/predictor-api.md):
//   {"features": [v1, ..., vN]}            values in the pipeline's input order
//   {"cpu_usage": v1, ..., "task_priority": "high"}   the same, by name
//   {"instances": [[...], [...]]}           batch (positional rows)
// Numbers must be JSON numbers (integers or floats) and finite; categories
// must be strings naming one of the input's levels. Every error names the
// offending field ("features[3]", "instances[2][0]", "task_type").
//
// Thread-safety: stateless functions.
#ifndef PHAS_PREDICTOR_CODEC_H_
#define PHAS_PREDICTOR_CODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "model/bundle.h"
#include "model/pipeline.h"

namespace phas {

struct CodecError {
  int status = 400;
  std::string message;
  std::string field;  // empty when the error concerns the body as a whole
};

// Nesting deeper than this is refused before parsing.
constexpr int kMaxJsonDepth = 16;

// Parses a single-prediction body into pipeline.inputs().size() values.
bool DecodePredictRequest(std::string_view body, const FeaturePipeline& p,
                          std::vector<InputValue>* out, CodecError* err);

// Parses a batch body; `out` receives rows * inputs values in order.
bool DecodeBatchRequest(std::string_view body, const FeaturePipeline& p,
                        size_t max_instances, std::vector<InputValue>* out,
                        size_t* rows, CodecError* err);

// The fast path of DecodePredictRequest: a strict scanner for exactly
// {"features": [numbers and plain ASCII strings]} that fills `out` and returns
// true when the body is that shape and every value is valid. Returns false on
// anything else, leaving the full parser to accept it or explain the error.
// Values equal what the full parser produces. Exposed for tests.
bool FastDecodeFeatures(std::string_view body, const FeaturePipeline& p,
                        std::vector<InputValue>* out);

// {"prediction", "predicted_class", "confidence", "probabilities", "action"}
void EncodePrediction(const Prediction& pred, const ModelBundle& model,
                      std::string* out);

}  // namespace phas

#endif  // PHAS_PREDICTOR_CODEC_H_
