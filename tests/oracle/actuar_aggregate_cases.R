# The independent oracle for pricing/'s aggregate methods at sizes where accuracy is at
# stake: long FFT lattices and frequencies too large for Pr[S = 0] to be a double. Writes
# "case index value" lines (17 significant digits) to the file given; run by
# tests/pricing_aggregate_test.cpp. Inputs are written out too, so both sides use the same.
suppressMessages(library(actuar))
args <- commandArgs(trailingOnly = TRUE)
out <- file(args[1], "w")
put <- function(name, values) {
  for (i in seq_along(values)) writeLines(sprintf("%s %d %.17g", name, i - 1, values[i]), out)
}
masses <- function(Fs) get("fs", environment(Fs))

# A long lattice: Poisson(20) claims of a gamma(2, 0.002) severity rounded on a span of 10,
# recursed until 1 - F(x) < 1e-13 (some 7,700 points, the smallest masses near 1e-15).
fx <- discretize(pgamma(x, 2, 0.002), method = "rounding", from = 0, to = 20000, step = 10)
put("tail.severity", fx)
put("tail.poisson20", masses(aggregateDist("recursive", model.freq = "poisson", model.sev = fx,
                                           lambda = 20, x.scale = 10, tol = 1e-13, maxit = 20000)))
close(out)
