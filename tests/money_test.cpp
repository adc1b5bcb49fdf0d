#include <catch2/catch.hpp>
#include "ledger/money.hpp"
TEST_CASE("x"){ REQUIRE(backstop::Money::parse("1").is_ok()); }
