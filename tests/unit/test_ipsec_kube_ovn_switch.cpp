// Kube-OVN >= 1.13's switch: the flag as Go reads it, the chart's patch, Helm releases, rollouts.
#include "ipsec/kube_ovn_switch.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace {

kube::Workload
cni_with_args(std::vector<std::string> args)
{
  kube::Workload w;
  w.kind = "DaemonSet";
  w.ns = "kube-system";
  w.name = "kube-ovn-cni";
  w.containers = {{"install-cni", {}, {}}, {"cni-server", std::move(args), {}}};
  return w;
}

} // namespace

TEST_CASE("kube-ovn switch: --enable-ovn-ipsec as Go's flag package reads it")
{
  CHECK(ipsec::workload_flag(cni_with_args({"--enable-ovn-ipsec"}), "cni-server") == true);
  CHECK(ipsec::workload_flag(cni_with_args({"--enable-ovn-ipsec=T"}), "cni-server") == true);
  CHECK(ipsec::workload_flag(cni_with_args({"--enable-ovn-ipsec=true", "--enable-ovn-ipsec=false"}), "cni-server") ==
        false); // the last one wins
  CHECK_FALSE(ipsec::workload_flag(cni_with_args({"--enable-ovn-ipsec-x=true"}), "cni-server").has_value());
  CHECK_FALSE(ipsec::workload_flag(cni_with_args({"--enable-ovn-ipsec=true"}), "other").has_value());
}

TEST_CASE("kube-ovn switch: the patch tests what was read, replaces the flag once, adds the key volume")
{
  const auto w = cni_with_args({"--a", "--enable-ovn-ipsec", "--enable-ovn-ipsec=false"});
  const auto ops = nlohmann::json::parse(ipsec::flag_patch(w, "cni-server", true, true));
  REQUIRE(ops.size() == 4);
  CHECK(ops[0] == nlohmann::json{{"op", "test"},
                                 {"path", "/spec/template/spec/containers/1/args"},
                                 {"value", {"--a", "--enable-ovn-ipsec", "--enable-ovn-ipsec=false"}}});
  CHECK(ops[1]["value"] == nlohmann::json{"--a", "--enable-ovn-ipsec=true"});
  CHECK(ops[2]["path"] == "/spec/template/spec/containers/1/volumeMounts"); // none yet: the whole list
  CHECK(ops[3]["path"] == "/spec/template/spec/volumes");
  // Applied to the object it was made from, it gives what the chart renders.
  nlohmann::json object{
      {"spec",
       {{"template",
         {{"spec",
           {{"containers",
             {{{"name", "install-cni"}},
              {{"name", "cni-server"}, {"args", {"--a", "--enable-ovn-ipsec", "--enable-ovn-ipsec=false"}}}}}}}}}}}};
  const auto patched = object.patch(ops);
  CHECK(patched["spec"]["template"]["spec"]["volumes"][0]["hostPath"]["path"] == "/etc/origin/ovs_ipsec_keys");

  // Nothing to do: "".
  auto on = cni_with_args({"--enable-ovn-ipsec=true"});
  on.containers[1].volume_mounts = {"ovs-ipsec-keys"};
  on.volumes = {"ovs-ipsec-keys"};
  CHECK(ipsec::flag_patch(on, "cni-server", true, true).empty());
  CHECK(ipsec::flag_patch(cni_with_args({"--enable-ovn-ipsec=false"}), "cni-server", false, true).empty());
  // A flag never given is added.
  CHECK(nlohmann::json::parse(ipsec::flag_patch(cni_with_args({}), "cni-server", true, false))[1] ==
        nlohmann::json{
            {"op", "add"}, {"path", "/spec/template/spec/containers/1/args"}, {"value", {"--enable-ovn-ipsec=true"}}});
}

TEST_CASE("kube-ovn switch: Helm releases and their commands, chart v1 and v2")
{
  auto w = cni_with_args({});
  CHECK_FALSE(ipsec::helm_release(w).has_value());
  w.labels = {{"app.kubernetes.io/managed-by", "Helm"}, {"helm.sh/chart", "kube-ovn-v2-1.15.2"}};
  w.annotations = {{"meta.helm.sh/release-name", "ovn"}, {"meta.helm.sh/release-namespace", "kube-ovn"}};
  auto release = ipsec::helm_release(w);
  REQUIRE(release.has_value());
  CHECK(release->chart == "kube-ovn-v2");
  CHECK(release->version == "1.15.2");
  CHECK(ipsec::helm_command(*release, false) ==
        "helm upgrade ovn kubeovn/kube-ovn-v2 -n kube-ovn --version 1.15.2 --reuse-values --set "
        "features.enableOvnIpsec=false");
  w.labels = {{"app.kubernetes.io/managed-by", "Helm"}};
  w.annotations.clear();
  release = ipsec::helm_release(w);
  REQUIRE(release.has_value());
  CHECK(ipsec::helm_command(*release, true) ==
        "helm upgrade kube-ovn kubeovn/kube-ovn -n kube-system --reuse-values --set func.ENABLE_OVN_IPSEC=true");
}

TEST_CASE("kube-ovn switch: a rollout is complete when the newest spec runs everywhere and is available")
{
  kube::Workload w;
  w.name = "kube-ovn-cni";
  w.generation = 2;
  w.observed_generation = 1;
  w.desired = w.updated = w.available = 3;
  CHECK_FALSE(ipsec::rollout_complete(w)); // the controller has not seen the change yet
  w.observed_generation = 2;
  w.updated = 2;
  CHECK_FALSE(ipsec::rollout_complete(w));
  CHECK(ipsec::rollout_progress(w) == "kube-ovn-cni: 2/3 updated, 3/3 available");
  w.updated = 3;
  CHECK(ipsec::rollout_complete(w));
}
