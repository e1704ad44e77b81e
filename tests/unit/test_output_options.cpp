// -o, --no-headers and --sort-by: kubectl's words for a printer a command lacks, the table's
// rows alone, natural order.

#include "output/output_options.hpp"
#include "output/spooled_table.hpp"
#include "output/table.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <sstream>

namespace {

using output::Printer;

const std::vector<Printer> k_listing{Printer::table, Printer::wide, Printer::json,
                                     Printer::yaml,  Printer::name, Printer::jsonpath};

output::Table
sample()
{
  output::Table table({"NODE", "REMOTE NODE", "STATE"});
  table.add_row({"node-10", "node-2", "CONFIGURED"});
  table.add_row({"node-2", "node-10", "INIT"});
  table.add_row({"node-1", "node-10", "CONFIGURED"});
  return table;
}

} // namespace

TEST_CASE("output options: -o as kubectl reads it, refused in kubectl's words")
{
  CHECK(output::parse_output("", k_listing).printer == Printer::table);
  CHECK(output::parse_output("wide", k_listing).format() == output::Format::wide);
  CHECK(output::parse_output("name", k_listing).printer == Printer::name);
  const auto jsonpath = output::parse_output("jsonpath={.nodes[*].node}", k_listing);
  CHECK(jsonpath.printer == Printer::jsonpath);
  CHECK(jsonpath.format() == output::Format::json);
  CHECK(jsonpath.jsonpath->execute(nlohmann::json::parse(R"({"nodes":[{"node":"a"},{"node":"b"}]})")) == "a b");
  CHECK(output::parse_output("jsonpath='{.a}'", k_listing).jsonpath->execute({{"a", 1}}) == "1");

  CHECK_THROWS_WITH_AS(output::parse_output("wide", {Printer::table, Printer::json, Printer::yaml}),
                       "unable to match a printer suitable for the output format \"wide\", allowed formats are: "
                       "json,yaml",
                       util::UsageError);
  CHECK_THROWS_WITH_AS(output::parse_output("jsonpath", k_listing), "template format specified but no template given",
                       util::UsageError);
  CHECK_THROWS_WITH_AS(output::parse_output("yaml=x", k_listing),
                       "unable to match a printer suitable for the output format \"yaml=x\", allowed formats are: "
                       "json,jsonpath,name,wide,yaml",
                       util::UsageError);
  CHECK_THROWS_AS(output::parse_output("jsonpath={.a", k_listing), util::UsageError);
  // --no-headers with a document is ignored, as kubectl does; --sort-by is refused.
  CHECK_FALSE(output::parse_output("json", k_listing, true).table.no_headers);
  CHECK(output::parse_output("wide", k_listing, true).table.no_headers);
  CHECK_THROWS_AS(output::parse_output("json", k_listing, false, "NODE"), util::UsageError);
}

TEST_CASE("output options: --no-headers prints the rows alone, as wide as they are; --sort-by in natural order")
{
  const auto table = sample();
  CHECK(table.render({true, ""}) == "node-10   node-2    CONFIGURED\n"
                                    "node-2    node-10   INIT\n"
                                    "node-1    node-10   CONFIGURED\n");
  CHECK(table.render({false, "NODE"}) == "NODE      REMOTE NODE   STATE\n"
                                         "node-1    node-10       CONFIGURED\n"
                                         "node-2    node-10       INIT\n"
                                         "node-10   node-2        CONFIGURED\n");
  // A heading, a json key or a JSONPath name the same column; equal cells keep their order.
  for (const char* key : {"REMOTE NODE", "remoteNode", ".remoteNode", "{.remoteNode}", "remote-node"}) {
    CAPTURE(key);
    CHECK(table.render({true, key}) == "node-10   node-2    CONFIGURED\n"
                                       "node-2    node-10   INIT\n"
                                       "node-1    node-10   CONFIGURED\n");
  }
  CHECK_THROWS_WITH_AS(table.render({false, ".nope"}),
                       "couldn't find any field with path \".nope\" in the table: --sort-by takes one of its columns: "
                       "NODE, REMOTE NODE, STATE",
                       util::UsageError);
  CHECK(output::natural_less("node-2", "node-10"));
  CHECK_FALSE(output::natural_less("node-10", "node-2"));
  CHECK(output::natural_less("1/3", "2/3"));
  CHECK(output::natural_less("a", "ab"));
  CHECK_FALSE(output::natural_less("node-02", "node-2"));
  CHECK_FALSE(output::natural_less("node-2", "node-02"));
}

TEST_CASE("output options: the spooled table (tunnels) sorts and drops headings like output::Table, also from its file")
{
  const auto reference = sample();
  for (const size_t memory_limit : {size_t{1}, size_t{1 << 20}}) { // 1: every row goes to the file
    CAPTURE(memory_limit);
    output::SpooledTable spooled({"NODE", "REMOTE NODE", "STATE"}, memory_limit);
    std::string packed;
    std::vector<size_t> widths;
    output::SpooledTable::pack_row(packed, widths, {"node-10", "node-2", "CONFIGURED"});
    output::SpooledTable::pack_row(packed, widths, {"node-2", "node-10", "INIT"});
    spooled.add_rows(packed, widths);
    packed.clear();
    widths.clear();
    output::SpooledTable::pack_row(packed, widths, {"node-1", "node-10", "CONFIGURED"});
    spooled.add_rows(packed, widths);
    for (const output::TableStyle& style : {output::TableStyle{}, output::TableStyle{true, ""},
                                            output::TableStyle{false, "node"}, output::TableStyle{true, "STATE"}}) {
      CAPTURE(style.sort_by);
      std::ostringstream out;
      spooled.write(out, 3, style);
      CHECK(out.str() == reference.render(style));
    }
  }
}
