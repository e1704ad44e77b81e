// The SB Chassis table as `tunnels --node` reads it. The first document is what the real
// ovn-sbctl 23.03 printed for two chassis, one without a hostname.
#include "ipsec/sb_chassis.hpp"

#include <doctest/doctest.h>

using ipsec::Chassis;

TEST_CASE("ipsec::parse_sb_chassis reads ovn-sbctl's --format=json table")
{
  const auto real =
      ipsec::parse_sb_chassis(R"({"data":[["ch-1","node-1"],["ch\"2",""]],"headings":["name","hostname"]})"
                              "\n");
  REQUIRE(real);
  CHECK(*real == std::vector<Chassis>{{"ch-1", "node-1"}, {"ch\"2", ""}});

  // Columns are found by heading, whatever their order; an empty table is a valid answer.
  CHECK(*ipsec::parse_sb_chassis(R"({"headings":["hostname","name"],"data":[["n","c"]]})") ==
        std::vector<Chassis>{{"c", "n"}});
  CHECK(ipsec::parse_sb_chassis(R"({"data":[],"headings":["name","hostname"]})")->empty());

  for (const char* bad :
       {"", "{\"data\":[[\"", "null", "[]", R"({"data":[["a","b"]]})", R"({"data":[["a","b"]],"headings":["name"]})",
        R"({"data":[["a"]],"headings":["name","hostname"]})",
        R"({"data":[["a",["set",[]]]],"headings":["name","hostname"]})",
        R"({"data":[["","n"]],"headings":["name","hostname"]})", R"({"data":{},"headings":["name","hostname"]})"}) {
    CAPTURE(bad);
    CHECK_FALSE(ipsec::parse_sb_chassis(bad));
  }
}

TEST_CASE("ipsec::chassis_of_nodes keeps one chassis per asked node")
{
  const std::vector<Chassis> sb{{"a", "node-1"},    {"b", "node-2"}, {"c", ""},
                                {"d", "elsewhere"}, {"e", "node-3"}, {"f", "node-3"}};
  // node-3 has two chassis (a stale one from a reinstall): which is live is unknown, so none;
  // node-4 has none. Both are then asked for their system-id.
  CHECK(ipsec::chassis_of_nodes(sb, {"node-1", "node-2", "node-3", "node-4"}) ==
        std::vector<Chassis>{{"a", "node-1"}, {"b", "node-2"}});
  CHECK(ipsec::chassis_of_nodes(sb, {}).empty());
}

TEST_CASE("ipsec::sb_chassis_command reads any replica, two columns, as JSON")
{
  CHECK(ipsec::sb_chassis_command() == std::vector<std::string>{"ovn-sbctl", "--no-leader-only", "--format=json",
                                                                "--columns=name,hostname", "list", "Chassis"});
}
