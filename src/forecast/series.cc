#include "forecast/series.h"

#include <cmath>

namespace phas::forecast {

size_t Series::Known() const {
  size_t n = 0;
  for (double v : values) n += std::isnan(v) ? 0 : 1;
  return n;
}

}  // namespace phas::forecast
