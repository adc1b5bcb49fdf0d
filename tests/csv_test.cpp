// CSV by header name: what spreadsheets write is read, and every error says where it is.
#include "tools/csv.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

namespace backstop {

namespace {
std::string error_of(const std::string& text) {
  try {
    const CsvTable table = CsvTable::parse(text, "t.csv");
    for (std::size_t row = 0; row < table.rows(); ++row) {
      for (std::size_t column = 0; column < table.header().size(); ++column) {
        if (table.header()[column] == "n") (void)table.number(row, column);
      }
    }
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return "";
}
}  // namespace

TEST_CASE("csv: a byte-order mark, CRLF, quotes, doubled quotes and line breaks in quotes") {
  const CsvTable table = CsvTable::parse(
      "\xEF\xBB\xBFname,n\r\n\"Smith, \"\"J\"\"\",1.5\r\n\"two\nlines\",2\r\n\r\n", "t.csv");
  REQUIRE(table.header() == std::vector<std::string>{"name", "n"});
  REQUIRE(table.rows() == 2);
  CHECK(table.cell(0, 0) == "Smith, \"J\"");
  CHECK(table.number(0, 1) == 1.5);
  CHECK(table.cell(1, 0) == "two\nlines");
  CHECK(table.where(1, 1) == "t.csv line 3, column 'n'");
  CHECK(table.find_column("n") == 1u);
  CHECK_FALSE(table.find_column("missing"));
}

TEST_CASE("csv: every error names the file, the line and the column") {
  CHECK(error_of("name,n\na,1\nb,12abc\n") == "t.csv line 3, column 'n': '12abc' is not a number");
  CHECK(error_of("name,n\na,nan\n") == "t.csv line 2, column 'n': 'nan' is not a number");
  CHECK(error_of("name,n\na,\n") == "t.csv line 2, column 'n': '' is not a number");
  CHECK(error_of("name,n\na,1,2\n") == "t.csv line 2: 3 fields where the header has 2");
  CHECK(error_of("name,n\n\"a,1\n") == "t.csv: a quoted field is not closed");
  CHECK(error_of("name,name\n") == "t.csv line 1: column 'name' appears twice");
  CHECK(error_of("") == "t.csv: no header line");
  CHECK_THROWS_WITH(CsvTable::parse("a,b\n", "t.csv").required_column("n"),
                    "t.csv: no column 'n' in the header");
}

}  // namespace backstop
