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

# Large frequencies. Pr[S = 0] = P(f0) is no double once it falls below 1e-308 (Poisson
# past lambda ~ 745), where actuar's recursion cannot start. It can at lambda = 700; and
# Poisson(1000) is Poisson(500) convolved with itself, the negative binomial (1500, 0.6)
# (750, 0.6) with itself. actuar's own `convolve` stops each half at 1 - 1.5e-8, which
# leaves the convolution's tail short: the halves run to a fixed 8,000 points (their last
# masses below 1e-37) and are convolved directly here.
fx <- discretize(pgamma(x, 2, 0.5), method = "rounding", from = 0, to = 200, step = 0.5)
put("large.severity", fx)
recursive <- function(...) masses(aggregateDist("recursive", model.sev = fx, x.scale = 0.5, ...))
convolution <- function(f) sapply(seq_len(2 * length(f) - 1), function(k) {
  i <- max(1, k - length(f) + 1):min(k, length(f))
  sum(f[i] * f[k + 1 - i])
})
half <- function(...) suppressWarnings(recursive(tol = 0, maxit = 7999, ...))
put("large.poisson700", recursive(model.freq = "poisson", lambda = 700, tol = 1e-12, maxit = 20000))
put("large.poisson1000", convolution(half(model.freq = "poisson", lambda = 500)))
put("large.negative_binomial", convolution(half(model.freq = "negative binomial", size = 750,
                                                prob = 0.6)))
close(out)
