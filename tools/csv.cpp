#include "tools/csv.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace backstop {
namespace {

// Splits `text` into records of fields; `lines` gets the line each record starts on.
std::vector<std::vector<std::string>> records(std::string_view text, const std::string& name,
                                              std::vector<std::size_t>& lines) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, was_quoted = false;
  std::size_t line = 1, start = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    was_quoted = false;
  };
  auto end_record = [&] {
    end_field();
    if (!(record.size() == 1 && record[0].empty()))
      out.push_back(std::move(record)), lines.push_back(start);
    record.clear();
    start = line;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
        field += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        field += c, line += c == '\n';
    } else if (c == '"' && field.empty() && !was_quoted) {
      quoted = was_quoted = true;
    } else if (c == '"' || (was_quoted && c != ',' && c != '\r' && c != '\n')) {
      throw std::runtime_error(name + " line " + std::to_string(line) +
                               ": a quote inside an unquoted field, or text after a closing quote");
    } else if (c == ',') {
      end_field();
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      ++line;
      end_record();
    } else {
      field += c;
    }
  }
  if (quoted) throw std::runtime_error(name + ": a quoted field is not closed");
  end_record();
  return out;
}

}  // namespace

CsvTable CsvTable::read(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + file + "'");
  std::stringstream contents;
  contents << in.rdbuf();
  return parse(contents.str(), file);
}

CsvTable CsvTable::parse(std::string_view text, const std::string& name) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a byte-order mark
  CsvTable table;
  table.name_ = name;
  auto all = records(text, name, table.lines_);
  if (all.empty()) throw std::runtime_error(name + ": no header line");
  table.header_ = std::move(all.front());
  for (std::size_t column = 0; column < table.header_.size(); ++column) {
    const auto& title = table.header_[column];
    if (title.empty())
      throw std::runtime_error(name + " line 1: column " + std::to_string(column + 1) +
                               " has no name");
    for (std::size_t other = 0; other < column; ++other) {
      if (table.header_[other] == title)
        throw std::runtime_error(name + " line 1: column '" + title + "' appears twice");
    }
  }
  for (std::size_t row = 1; row < all.size(); ++row) {
    if (all[row].size() != table.header_.size()) {
      throw std::runtime_error(name + " line " + std::to_string(table.lines_[row]) + ": " +
                               std::to_string(all[row].size()) + " fields where the header has " +
                               std::to_string(table.header_.size()));
    }
    table.rows_.push_back(std::move(all[row]));
  }
  table.lines_.erase(table.lines_.begin());
  return table;
}

std::optional<std::size_t> CsvTable::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return i;
  }
  return std::nullopt;
}

std::size_t CsvTable::required_column(std::string_view name) const {
  if (auto found = find_column(name)) return *found;
  throw std::runtime_error(name_ + ": no column '" + std::string(name) + "' in the header");
}

const std::string& CsvTable::cell(std::size_t row, std::size_t column) const {
  return rows_.at(row).at(column);
}

double CsvTable::number(std::size_t row, std::size_t column) const {
  const std::string& text = cell(row, column);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    throw std::runtime_error(where(row, column) + ": '" + text.substr(0, 40) + "' is not a number");
  }
  return value;
}

std::string CsvTable::where(std::size_t row, std::size_t column) const {
  return name_ + " line " + std::to_string(lines_.at(row)) + ", column '" + header_.at(column) +
         "'";
}

}  // namespace backstop
