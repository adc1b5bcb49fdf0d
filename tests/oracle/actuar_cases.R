# The independent oracle for pricing/: R actuar computes the same discretised models as
# Backstop. Writes "case index value" lines (17 significant digits) to the file given.
# Run by tests/pricing_oracle_test.cpp; Rscript and r-cran-actuar come from Debian.
suppressMessages(library(actuar))
args <- commandArgs(trailingOnly = TRUE)
out <- file(args[1], "w")
put <- function(name, values) {
  for (i in seq_along(values)) writeLines(sprintf("%s %d %.17g", name, i - 1, values[i]), out)
}

# Discretisation of five severities by four methods, span 0.5 up to 60.
severities <- list(
  lognormal = list(cdf = function(x) plnorm(x, 2, 0.8), lev = function(x) levlnorm(x, 2, 0.8)),
  gamma = list(cdf = function(x) pgamma(x, 2, 0.5), lev = function(x) levgamma(x, 2, 0.5)),
  pareto = list(cdf = function(x) ppareto(x, 3, 20), lev = function(x) levpareto(x, 3, 20)),
  weibull = list(cdf = function(x) pweibull(x, 1.5, 10), lev = function(x) levweibull(x, 1.5, 10)),
  exponential = list(cdf = function(x) pexp(x, 0.1), lev = function(x) levexp(x, 0.1)))
for (name in names(severities)) {
  s <- severities[[name]]
  for (method in c("upper", "lower", "rounding")) {
    put(paste0("discretise.", name, ".", method),
        discretize(s$cdf(x), method = method, from = 0, to = 60, step = 0.5))
  }
  put(paste0("discretise.", name, ".unbiased"),
      discretize(s$cdf(x), method = "unbiased", lev = s$lev(x), from = 0, to = 60, step = 0.5))
  put(paste0("lev.", name), s$lev(c(1, 5, 20, 50)))
  put(paste0("cdf.", name), s$cdf(c(1, 5, 20, 50)))
}

# Aggregate losses by Panjer's recursion: three frequencies, the gamma severity rounded.
fx <- discretize(pgamma(x, 2, 0.5), method = "rounding", from = 0, to = 200, step = 0.5)
put("severity.gamma.rounding.200", fx)
models <- list(poisson = list(model = "poisson", lambda = 3),
               negative_binomial = list(model = "negative binomial", size = 4, prob = 0.6),
               binomial = list(model = "binomial", size = 10, prob = 0.3),
               zero_modified_binomial = list(model = "binomial", size = 10, prob = 0.3, p0 = 0.2))
for (name in names(models)) {
  m <- models[[name]]
  Fs <- switch(name,
    poisson = aggregateDist("recursive", model.freq = "poisson", model.sev = fx, lambda = m$lambda, x.scale = 0.5, maxit = 600),
    negative_binomial = aggregateDist("recursive", model.freq = "negative binomial", model.sev = fx, size = m$size, prob = m$prob,
                                      x.scale = 0.5, maxit = 600),
    binomial = aggregateDist("recursive", model.freq = "binomial", model.sev = fx, size = m$size, prob = m$prob, x.scale = 0.5, maxit = 600),
    zero_modified_binomial = aggregateDist("recursive", model.freq = "binomial", model.sev = fx, size = m$size, prob = m$prob, p0 = m$p0,
                                           x.scale = 0.5, maxit = 600))
  k <- knots(Fs)
  masses <- diff(c(0, Fs(k)))
  put(paste0("panjer.", name), masses)
  put(paste0("stop_loss.", name), sapply(c(5, 10, 20, 40), function(d) sum(pmax(k - d, 0) * masses)))
  put(paste0("var.", name), quantile(Fs, c(0.9, 0.99, 0.995)))
  put(paste0("tvar.", name), CTE(Fs, c(0.9, 0.99)))
}

# Counts of the (a, b, 1) class beside the plain ones: zero-modified (and zero-truncated)
# Poisson, negative binomial, binomial and logarithmic, and the plain logarithmic, which has
# no zero at all. A lognormal severity discretised as the CLI does (unbiased).
gx <- discretize(plnorm(x, 2, 0.8), method = "unbiased", lev = levlnorm(x, 2, 0.8),
                 from = 0, to = 100, step = 0.5)
put("severity.lognormal.unbiased.100", gx)
count_models <- list(
  poisson = list(d = function(k) dpois(k, 3), freq = "poisson", par = list(lambda = 3)),
  negative_binomial = list(d = function(k) dnbinom(k, 4, 0.6), freq = "negative binomial",
                           par = list(size = 4, prob = 0.6)),
  binomial = list(d = function(k) dbinom(k, 10, 0.3), freq = "binomial",
                  par = list(size = 10, prob = 0.3)),
  logarithmic = list(d = function(k) dlogarithmic(k, 0.5)),
  zero_modified_poisson = list(d = function(k) dzmpois(k, 3, 0.3), freq = "poisson",
                               par = list(lambda = 3), p0 = 0.3),
  zero_truncated_poisson = list(d = function(k) dztpois(k, 3), freq = "zero-truncated poisson",
                                par = list(lambda = 3)),
  zero_modified_negative_binomial = list(d = function(k) dzmnbinom(k, 4, 0.6, 0.1),
                                         freq = "negative binomial",
                                         par = list(size = 4, prob = 0.6), p0 = 0.1),
  zero_modified_binomial = list(d = function(k) dzmbinom(k, 10, 0.3, 0.2), freq = "binomial",
                                par = list(size = 10, prob = 0.3), p0 = 0.2),
  zero_modified_logarithmic = list(d = function(k) dzmlogarithmic(k, 0.5, 0.2),
                                   freq = "logarithmic", par = list(prob = 0.5), p0 = 0.2))
# sum p(k) f^(*k) on the first n points. actuar's convolution method convolves by FFT, which
# is exact only to about 1e-16 absolutely (1e-9 relatively in this tail): summed directly here,
# and checked against it to that absolute precision on the first ten claims (all fifty take
# it half a second).
convolutions <- function(pn, fx, n) {
  fs <- pn[1] * c(1, numeric(n - 1))
  fk <- c(1, numeric(n - 1))
  for (k in seq_along(pn)[-1]) {
    next_fk <- numeric(n)
    for (j in seq_len(min(length(fx), n))) {
      next_fk[j:n] <- next_fk[j:n] + fx[j] * fk[1:(n - j + 1)]
    }
    fk <- next_fk
    fs <- fs + pn[k] * fk
    if (k == 11) {
      by_fft <- get("fs", environment(aggregateDist("convolution", model.freq = pn[1:11],
                                                    model.sev = fx)))
      stopifnot(max(abs(fs - by_fft[1:n])) < 1e-15)
    }
  }
  fs
}
# The pgf as the series sum z^k p(k) (every count here has p(k) < 1e-40 beyond k = 400),
# on the real line, inside the unit disc and on the circle where FFT evaluates it.
pgf_points <- c(0, 0.3, 0.9, gx[1], complex(real = 0.3, imaginary = 0.4), exp(2i))
for (name in names(count_models)) {
  m <- count_models[[name]]
  pn <- m$d(0:400)
  put(paste0("pmf.", name), m$d(0:30))
  series <- sapply(pgf_points, function(z) sum(z^(0:400) * pn))
  put(paste0("pgf.", name), Re(series))
  put(paste0("pgf_imaginary.", name), Im(series))
  put(paste0("p_s0.", name), sum(gx[1]^(0:400) * pn))
  raw <- sapply(1:3, function(j) sum((0:400)^j * pn))
  put(paste0("cumulants.", name), c(raw[1], raw[2] - raw[1]^2,
                                    raw[3] - 3 * raw[1] * raw[2] + 2 * raw[1]^3))
  # actuar's recursion starts the plain logarithmic without its mass at one (it gives
  # P[S = s] = 0 for s > 0), so that one is the sum of p(k) times the k-fold convolutions.
  fs <- if (is.null(m$freq)) {
    convolutions(m$d(0:50), gx, 600)  # P(N > 50) < 1e-16
  } else {
    get("fs", environment(do.call(aggregateDist,
                                  c(list("recursive", model.freq = m$freq, model.sev = gx,
                                         p0 = m$p0, x.scale = 0.5, maxit = 600), m$par))))
  }
  put(paste0("aggregate.", name), fs)
}

# Raw moments E[X^j] of the five severities (the Pareto's third does not exist at shape 3),
# and the aggregate's mean, variance and skewness by the compound formulas from the severity's
# raw moments and the count's, summed from its pmf (zero-modified ones included).
severity_moments <- list(lognormal = function(j) mlnorm(j, 2, 0.8),
                         gamma = function(j) mgamma(j, 2, 0.5),
                         pareto = function(j) mpareto(j, 3, 20),
                         weibull = function(j) mweibull(j, 1.5, 10),
                         exponential = function(j) mexp(j, 0.1))
for (name in names(severity_moments)) {
  put(paste0("raw_moments.", name), severity_moments[[name]](if (name == "pareto") 1:2 else 1:3))
}
compound_moments <- function(pn, m) {
  k <- seq_along(pn) - 1
  n <- sapply(1:3, function(j) sum(k^j * pn))
  var_n <- n[2] - n[1]^2
  third_n <- n[3] - 3 * n[1] * n[2] + 2 * n[1]^3
  var_x <- m[2] - m[1]^2
  third_x <- m[3] - 3 * m[1] * m[2] + 2 * m[1]^3
  variance <- n[1] * var_x + var_n * m[1]^2
  third <- n[1] * third_x + 3 * var_n * m[1] * var_x + third_n * m[1]^3
  c(n[1] * m[1], variance, third / variance^1.5)
}
moment_cases <- list(
  poisson.lognormal = list(dpois(0:400, 3), mlnorm(1:3, 2, 0.8)),
  zero_modified_poisson.lognormal = list(dzmpois(0:400, 3, 0.3), mlnorm(1:3, 2, 0.8)),
  zero_modified_negative_binomial.lognormal = list(dzmnbinom(0:400, 4, 0.6, 0.1),
                                                   mlnorm(1:3, 1, 1.5)),
  negative_binomial.pareto = list(dnbinom(0:400, 4, 0.6), mpareto(1:3, 4, 30)),
  zero_modified_binomial.gamma = list(dzmbinom(0:10, 10, 0.3, 0.2), mgamma(1:3, 2, 0.5)),
  logarithmic.exponential = list(dlogarithmic(0:400, 0.5), mexp(1:3, 0.1)),
  zero_modified_logarithmic.weibull = list(dzmlogarithmic(0:400, 0.5, 0.2),
                                           mweibull(1:3, 1.5, 10)))
for (name in names(moment_cases)) {
  put(paste0("moments.", name), compound_moments(moment_cases[[name]][[1]], moment_cases[[name]][[2]]))
}

# Bühlmann-Straub on Hachemeister's data (five states, twelve quarters).
data(hachemeister)
put("credibility.ratios", as.vector(t(as.matrix(hachemeister[, 2:13]))))
put("credibility.weights", as.vector(t(as.matrix(hachemeister[, 14:25]))))
fit <- cm(~state, hachemeister, ratios = ratio.1:ratio.12, weights = weight.1:weight.12)
put("credibility.collective_mean", fit$means$portfolio)
put("credibility.between_variance", fit$unbiased[["portfolio"]])
put("credibility.within_variance", fit$unbiased[["state"]])
put("credibility.factors", fit$cred)
put("credibility.premiums", predict(fit))
close(out)

# Maximum-likelihood fits by R's own optimiser on the same data (written out for Backstop).
out <- file(args[1], "a")
set.seed(7)
costs <- round(rgamma(400, shape = 2, rate = 1 / 50000), 2)
put("fit.data", costs)
nll <- function(density) function(p) -sum(density(costs, exp(p[1]), exp(p[2])))
best <- function(f, start) {
  fit <- optim(start, f, method = "BFGS", control = list(reltol = 1e-15, maxit = 10000))
  fit <- optim(fit$par, f, method = "Nelder-Mead", control = list(reltol = 1e-15, maxit = 20000))
  c(exp(fit$par), -fit$value)
}
put("fit.lognormal", c(mean(log(costs)), sqrt(mean((log(costs) - mean(log(costs)))^2)), sum(dlnorm(costs, mean(log(costs)), sqrt(mean((log(costs) - mean(log(costs)))^2)), log = TRUE))))
put("fit.exponential", c(1 / mean(costs), sum(dexp(costs, 1 / mean(costs), log = TRUE))))
put("fit.gamma", best(nll(function(x, a, b) dgamma(x, a, b, log = TRUE)), c(log(2), log(2 / mean(costs)))))
put("fit.weibull", best(nll(function(x, a, b) dweibull(x, a, b, log = TRUE)), c(log(1.5), log(mean(costs)))))
heavy <- round(rpareto(400, shape = 3, scale = 100000), 2)
put("fit.pareto_data", heavy)
nll_heavy <- function(p) -sum(dpareto(heavy, exp(p[1]), exp(p[2]), log = TRUE))
put("fit.pareto", best(nll_heavy, c(log(2), log(mean(heavy)))))
counts <- rnbinom(300, size = 3, prob = 0.4)
put("fit.counts", counts)
nb <- optimize(function(s) sum(dnbinom(counts, size = exp(s), prob = exp(s) / (exp(s) + mean(counts)), log = TRUE)),
               c(-10, 15), maximum = TRUE, tol = 1e-12)
put("fit.negative_binomial", c(exp(nb$maximum), exp(nb$maximum) / (exp(nb$maximum) + mean(counts)), nb$objective))
put("fit.poisson", c(mean(counts), sum(dpois(counts, mean(counts), log = TRUE))))
close(out)
