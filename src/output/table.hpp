#pragma once
// A kubectl-style text table: upper-case headings, columns separated by three spaces,
// left-aligned, no trailing spaces. Returns the text; the caller prints it.

#include <string>
#include <vector>

namespace output {

class Table {
public:
  explicit Table(std::vector<std::string> headings);
  void add_row(std::vector<std::string> cells);   // missing cells render empty
  std::string render() const;

private:
  std::vector<std::string> m_headings;
  std::vector<std::vector<std::string>> m_rows;
};

} // namespace output
