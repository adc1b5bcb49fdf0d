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
               binomial = list(model = "binomial", size = 10, prob = 0.3))
for (name in names(models)) {
  m <- models[[name]]
  Fs <- switch(name,
    poisson = aggregateDist("recursive", model.freq = "poisson", model.sev = fx, lambda = m$lambda, x.scale = 0.5, maxit = 600),
    negative_binomial = aggregateDist("recursive", model.freq = "negative binomial", model.sev = fx, size = m$size, prob = m$prob,
                                      x.scale = 0.5, maxit = 600),
    binomial = aggregateDist("recursive", model.freq = "binomial", model.sev = fx, size = m$size, prob = m$prob, x.scale = 0.5, maxit = 600))
  k <- knots(Fs)
  masses <- diff(c(0, Fs(k)))
  put(paste0("panjer.", name), masses)
  put(paste0("stop_loss.", name), sapply(c(5, 10, 20, 40), function(d) sum(pmax(k - d, 0) * masses)))
  put(paste0("var.", name), quantile(Fs, c(0.9, 0.99, 0.995)))
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
