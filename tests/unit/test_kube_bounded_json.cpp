// API answers parsed within the command's memory budget: only the fields a converter reads are
// kept, what is kept is charged, and a list page converts to the same pods either way.
#include "kube/bounded_json.hpp"
#include "kube/errors.hpp"
#include "kube/resource_json.hpp"

#include <doctest/doctest.h>

#include <string>

using nlohmann::json;

namespace {

// A kube-ovn ovs-ovn pod as the API server lists it, managedFields and all.
json
realistic_pod(int i)
{
  const std::string name = "ovs-ovn-" + std::to_string(i);
  return json::parse(R"({
    "metadata": {"name": ")" +
                     name + R"(", "namespace": "kube-system", "uid": "0b1c", "resourceVersion": "1234",
      "creationTimestamp": "2026-01-01T00:00:00Z", "generateName": "ovs-ovn-",
      "labels": {"app": "ovs", "component": "network", "controller-revision-hash": "7d9f", "type": "infra"},
      "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "ovs-ovn", "uid": "x", "controller": true}],
      "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
        "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:containers": {"k:{\"name\":\"openvswitch\"}": {".": {}, "f:image": {}}}}}}]},
    "spec": {"nodeName": "node-)" +
                     std::to_string(i) + R"(", "hostNetwork": true, "priorityClassName": "system-node-critical",
      "containers": [{"name": "openvswitch", "image": "kubeovn/kube-ovn:v1.12.0", "command": ["/kube-ovn/start-ovs.sh"],
        "args": ["--ovs-socket=/run/openvswitch/db.sock"],
        "env": [{"name": "ENABLE_SSL", "value": "false"}], "volumeMounts": [{"name": "host-run-ovs", "mountPath": "/run/openvswitch"}],
        "resources": {"limits": {"cpu": "1", "memory": "1000Mi"}}}],
      "volumes": [{"name": "host-run-ovs", "hostPath": {"path": "/run/openvswitch", "type": ""}}]},
    "status": {"phase": "Running", "hostIP": "172.18.0.2", "podIP": "172.18.0.2",
      "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}],
      "containerStatuses": [{"name": "openvswitch", "ready": true, "restartCount": 0, "image": "kubeovn/kube-ovn:v1.12.0",
        "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}
  })");
}

json
pod_list(int pods, const std::string& continue_token)
{
  json list{{"kind", "PodList"}, {"apiVersion", "v1"}, {"metadata", {{"resourceVersion", "99"}}}};
  if (!continue_token.empty()) {
    list["metadata"]["continue"] = continue_token;
  }
  list["items"] = json::array();
  for (int i = 0; i < pods; ++i) {
    list["items"].push_back(realistic_pod(i));
  }
  return list;
}

bool
same_pods(const std::vector<kube::Pod>& a, const std::vector<kube::Pod>& b)
{
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto &x = a[i], &y = b[i];
    if (x.ns != y.ns || x.name != y.name || x.node != y.node || x.phase != y.phase || x.ready != y.ready ||
        x.terminating != y.terminating || x.labels != y.labels || x.containers.size() != y.containers.size()) {
      return false;
    }
    for (std::size_t c = 0; c < x.containers.size(); ++c) {
      const auto &p = x.containers[c], &q = y.containers[c];
      if (p.name != q.name || p.command != q.command || p.args != q.args || p.ready != q.ready || p.image != q.image) {
        return false;
      }
    }
  }
  return true;
}

} // namespace

TEST_CASE("kube::parse_json_within keeps the listed fields and what lies under them")
{
  util::MemoryCharge charge;
  const auto kept =
      kube::parse_json_within(R"({"a": {"b": [{"c": 1, "d": 2}, {"c": 3}], "e": {"f": "g"}}, "h": [1, 2], "i": "j"})",
                              {"a.b.c", "a.e", "i"}, charge, "test");
  CHECK(kept == json::parse(R"({"a": {"b": [{"c": 1}, {"c": 3}], "e": {"f": "g"}}, "i": "j"})"));
  CHECK(charge.bytes() > 0);

  util::MemoryCharge all;
  CHECK(kube::parse_json_within(R"([1, {"x": null}])", {}, all, "test") == json::parse(R"([1, {"x": null}])"));
  CHECK(kube::parse_json_within("{not json", {}, all, "test").is_discarded());
}

TEST_CASE("kube::parse_json_within charges the budget and stops at its limit")
{
  const std::string text = pod_list(50, "").dump();
  util::MemoryCharge whole;
  kube::parse_json_within(text, {}, whole, "test");
  util::MemoryCharge kept;
  kube::parse_json_within(text, kube::pod_list_fields(), kept, "test");
  CHECK(whole.bytes() > text.size()); // parsed whole, JSON takes more than its text
  CHECK(kept.bytes() < whole.bytes() / 2);

  util::MemoryBudget budget(whole.bytes() / 2);
  util::MemoryCharge everything(&budget);
  CHECK_THROWS_WITH_AS(kube::parse_json_within(text, {}, everything, "response from https://h/api/v1/pods"),
                       doctest::Contains("response from https://h/api/v1/pods exceeds the command's memory limit"),
                       util::MemoryLimitError);
  everything.reset();
  CHECK(budget.used() == 0);
  util::MemoryCharge fields(&budget);
  CHECK(kube::pods_from_list(kube::parse_json_within(text, kube::pod_list_fields(), fields, "test")).size() == 50);
}

TEST_CASE("kube::pod_list_fields keep all that pods_from_list reads, and the continue token")
{
  const json list = pod_list(3, "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==");
  util::MemoryCharge charge;
  const json page = kube::parse_json_within(list.dump(), kube::pod_list_fields(), charge, "test");
  CHECK(same_pods(kube::pods_from_list(page), kube::pods_from_list(list)));
  CHECK(kube::list_continue(page) == "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ==");
  CHECK(kube::list_continue(pod_list(1, "")).empty());
  CHECK_FALSE(page["items"][0]["metadata"].contains("managedFields"));
  CHECK_FALSE(page["items"][0]["spec"].contains("volumes"));
  const auto pods = kube::pods_from_list(page);
  CHECK(pods[1].node == "node-1");
  CHECK(pods[1].ready);
  CHECK(pods[1].containers.at(0).args == std::vector<std::string>{"--ovs-socket=/run/openvswitch/db.sock"});
  CHECK(kube::held_bytes(pods[1]) > sizeof(kube::Pod));

  // A kept field of the wrong type is still refused.
  json bad = list;
  bad["items"][0]["metadata"]["labels"] = "app=ovs";
  const json filtered = kube::parse_json_within(bad.dump(), kube::pod_list_fields(), charge, "test");
  CHECK_THROWS_AS(kube::pods_from_list(filtered), kube::ApiError);
}

TEST_CASE("kube::csr_list_fields keep all that csrs_from_list reads")
{
  const json list = json::parse(R"({"kind": "CertificateSigningRequestList", "metadata": {"continue": "t"}, "items": [
    {"metadata": {"name": "ovn-ipsec-node1", "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [{}]},
     "spec": {"signerName": "kubeovn.io/signer", "request": "LS0tLS1CRUdJTi...", "usages": ["ipsec tunnel"]},
     "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "x", "message": "y"}],
                "certificate": "LS0t"}}]})");
  util::MemoryCharge charge;
  const json page = kube::parse_json_within(list.dump(), kube::csr_list_fields(), charge, "test");
  const auto csrs = kube::csrs_from_list(page);
  REQUIRE(csrs.size() == 1);
  CHECK(csrs[0].name == "ovn-ipsec-node1");
  CHECK(csrs[0].signer == "kubeovn.io/signer");
  CHECK(csrs[0].state == "Issued");
  CHECK(csrs[0].created == kube::csrs_from_list(list)[0].created);
  CHECK_FALSE(page["items"][0]["spec"].contains("request"));
  CHECK(kube::list_continue(page) == "t");
}
