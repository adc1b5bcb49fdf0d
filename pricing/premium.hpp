// Premium principles beyond expected value plus a cost of capital, for a loss distribution
// on a lattice: the variance and standard-deviation principles, and Wang's proportional
// transform of the survival function (a distortion that weights the tail).
#pragma once

#include "pricing/aggregate.hpp"

namespace backstop::pricing {

// E[S] + alpha * Var[S]. alpha >= 0.
double variance_premium(const LatticeDistribution& loss, double alpha);

// E[S] + beta * sd[S]. beta >= 0.
double standard_deviation_premium(const LatticeDistribution& loss, double beta);

// Wang transform: the integral of Phi(Phi^-1(S(x)) + lambda) over x >= 0, where S is the
// survival function; lambda = 0 gives E[S], lambda > 0 loads the tail. Throws
// std::domain_error when the masses do not sum to 1 (mass lost: the premium would be too low)
// or lambda is negative.
double wang_premium(const LatticeDistribution& loss, double lambda);

}  // namespace backstop::pricing
