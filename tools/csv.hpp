// A CSV table read by header name (RFC 4180): a byte-order mark, CRLF line ends, quoted
// fields (with "" for a quote, and line breaks inside quotes) are accepted. Every error
// names the file, the line and the column, and is thrown as std::runtime_error (the price
// commands report it and exit non-zero).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace backstop {

class CsvTable {
 public:
  static CsvTable read(const std::string& file);  // the file must exist and have a header
  static CsvTable parse(std::string_view text, const std::string& name);

  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return rows_.size(); }

  // The column named `name`; `required` throws naming the file when it is missing.
  std::optional<std::size_t> find_column(std::string_view name) const;
  std::size_t required_column(std::string_view name) const;

  const std::string& cell(std::size_t row, std::size_t column) const;
  // The cell as a finite number, the whole cell read (e.g. "12abc" and "nan" are refused).
  double number(std::size_t row, std::size_t column) const;
  // "members.csv line 7, column 'population'": where a cell is, for an error.
  std::string where(std::size_t row, std::size_t column) const;

 private:
  std::string name_;
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::size_t> lines_;  // the line each row starts on
};

}  // namespace backstop
