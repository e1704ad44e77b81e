#include "support/fake_lab.hpp"

#include "cli/app.hpp"
#include "support/test_apiserver.hpp"
#include "support/testdata.hpp"

#include <fmt/format.h>

#include <sstream>
#include <stdexcept>

namespace testsupport::fakelab {

const std::vector<std::string> k_chassis{"11111111-aaaa-4000-8000-000000000001", "22222222-bbbb-4000-8000-000000000002",
                                         "33333333-cccc-4000-8000-000000000003"};

std::string
capture(const std::string& name)
{
  return testsupport::read_testdata("tunnels-show/" + name);
}

namespace {

std::string
chassis_name(int node)
{
  if (node >= 1 && node <= static_cast<int>(k_chassis.size())) {
    return k_chassis[static_cast<size_t>(node - 1)];
  }
  return fmt::format("{:06x}00-0000-4000-8000-{:012d}", node, node);
}

std::string
node_ip(int node)
{
  return fmt::format("10.99.{}.{}", node / 200, 10 + node % 200);
}

} // namespace

std::string
mesh_tunnels_show(int node, int nodes, bool sas_installed)
{
  const std::string own = chassis_name(node);
  const std::string local = node_ip(node);
  std::string text;
  for (int peer = 1; peer <= nodes; ++peer) {
    if (peer == node) {
      continue;
    }
    const std::string remote = node_ip(peer);
    const std::string name = chassis_name(peer);
    text += fmt::format("Interface name: ovn-{}-0 v1 (CONFIGURED)\n", name.substr(0, 6));
    text += fmt::format("  Tunnel Type:    geneve\n  Local IP:       {}\n  Remote IP:      {}\n"
                        "  Address Family: IPv4\n  SKB mark:       None\n",
                        local, remote);
    text += fmt::format("  Local cert:     /etc/ipsec.d/certs/{0}-cert.pem\n  Local name:     {0}\n"
                        "  Local key:      /etc/ipsec.d/private/{0}-privkey.pem\n  Remote cert:    None\n"
                        "  Remote name:    {1}\n  CA cert:        /etc/ipsec.d/cacerts/cacert.pem\n"
                        "  PSK:            None\n  Custom Options: {{}}\n  Ofport:         {2}\n"
                        "  CFM state:      Disabled\n",
                        own, name, peer);
    text += "Kernel policies installed:\n";
    for (const char* dir : {"sport", "sport", "dport", "dport"}) {
      text += fmt::format("  src {}/32 dst {}/32 proto udp {} 6081\n", local, remote, dir);
    }
    text += "Kernel security associations installed:\n";
    if (sas_installed) {
      text += fmt::format("  sel src {0}/32 dst {1}/32 proto udp sport 6081\n"
                          "  sel src {1}/32 dst {0}/32 proto udp dport 6081\n"
                          "  sel src {0}/32 dst {1}/32 proto udp dport 6081\n"
                          "  sel src {1}/32 dst {0}/32 proto udp sport 6081\n",
                          local, remote);
    }
    text += "IPsec connections that are active:\n\n";
  }
  return text;
}

std::vector<kube::Pod>
Borrowed::list_pods(const std::string& ns, const std::string& l, const std::string& f)
{
  return m_fake.list_pods(ns, l, f);
}

kube::ExecResult
Borrowed::exec(const kube::ExecRequest& r)
{
  return m_fake.exec(r);
}

std::optional<kube::Secret>
Borrowed::get_secret(const std::string& ns, const std::string& n)
{
  return m_fake.get_secret(ns, n);
}

kube::Secret
Borrowed::create_secret(const kube::Secret& s)
{
  return m_fake.create_secret(s);
}

kube::Secret
Borrowed::update_secret(const kube::Secret& s)
{
  return m_fake.update_secret(s);
}

std::vector<kube::Node>
Borrowed::list_nodes()
{
  return m_fake.list_nodes();
}

std::vector<kube::CertificateSigningRequest>
Borrowed::list_csrs()
{
  return m_fake.list_csrs();
}

std::optional<kube::Workload>
Borrowed::get_workload(const std::string& kind, const std::string& ns, const std::string& name)
{
  return m_fake.get_workload(kind, ns, name);
}

kube::Workload
Borrowed::patch_workload(const std::string& kind, const std::string& ns, const std::string& name,
                         const std::string& ops)
{
  return m_fake.patch_workload(kind, ns, name, ops);
}

Lab::Lab()
{
  show_when_on = [](int node) {
    return kube::ExecResult{0, capture("tunnels-show.C-ike-established.node" + std::to_string(node) + ".txt"), ""};
  };
  fake.add_pod(make_pod("kube-system", "ovn-central-a", "n1", {{"app", "ovn-central"}, {"ovn-nb-leader", "true"}},
                        "ovn-central"));
  fake.on_exec("ovn-central-a", [this](const kube::ExecRequest& r) { return nbctl(r); });
  for (int i = 1; i <= 3; ++i) {
    const std::string pod = "ovs-ovn-" + std::to_string(i);
    fake.add_pod(make_pod("kube-system", pod, "n" + std::to_string(i), {{"app", "ovs"}}, "openvswitch"));
    fake.on_exec(pod, k_system_id, kube::ExecResult{0, "\"" + k_chassis[static_cast<size_t>(i - 1)] + "\"\n", ""});
    fake.on_exec(pod, [this, i](const kube::ExecRequest& r) -> kube::ExecResult {
      if (answer_cert_probe && r.command.size() > 2 && r.command[0] == "sh" &&
          r.command[2].find("--- certificate") != std::string::npos) {
        // init's certificate look: no certificate on this node yet.
        return {0, "certificate=\nprivate_key=\nca_cert=\nkey=absent\nca=absent\n--- certificate\n", ""};
      }
      if (r.command == std::vector<std::string>{"ipsec", "status"}) {
        return ike_running ? kube::ExecResult{0, "Security Associations (0 up, 0 connecting):\n  none\n", ""}
                           : kube::ExecResult{1, "", ""};
      }
      if (r.command != k_show) {
        throw std::out_of_range("not tunnels/show");
      }
      if (tunnels_follow && nb->load()) {
        return show_when_on(i);
      }
      return {0, "No tunnels configured with IPsec\n", ""};
    });
  }
}

kube::ExecResult
Lab::nbctl(const kube::ExecRequest& r)
{
  if (r.command == k_get) {
    return {0, nb->load() ? "true\n" : "false\n", ""};
  }
  if (r.command == k_swap_true || r.command == k_swap_false) {
    const bool was = nb->load();
    if (set_sticks) {
      nb->store(r.command == k_swap_true);
    }
    return {0, was ? "true\n" : "false\n", ""};
  }
  throw std::out_of_range("not nbctl");
}

std::vector<std::vector<std::string>>
Lab::commands_in(const std::string& pod) const
{
  std::vector<std::vector<std::string>> out;
  for (const auto& e : fake.execs()) {
    if (e.pod == pod) {
      out.push_back(e.command);
    }
  }
  return out;
}

Run
run_cli(Lab& lab, std::vector<std::string> args, const std::function<void(cli::AppContext&)>& tweak)
{
  testsupport::TempDir dir;
  const std::string kubeconfig = dir.write("config", R"(apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://fake.invalid:6443"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
)");
  std::ostringstream out;
  std::ostringstream err;
  cli::AppContext ctx(out, err);
  ctx.env.getenv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  int sleeps = 0;
  ctx.sleep = [&sleeps](std::chrono::milliseconds) { ++sleeps; };
  ctx.cluster_factory = [&lab](const kube::ClientConfig&, const kube::ClusterOptions&) {
    return std::make_unique<Borrowed>(lab.fake);
  };
  args.push_back("--kubeconfig");
  args.push_back(kubeconfig);
  if (tweak) {
    tweak(ctx);
  }
  const int code = cli::run(args, ctx);
  return {code, out.str(), err.str(), sleeps};
}

std::function<void(cli::AppContext&)>
watch_stop_after(Lab& lab, size_t rounds, bool terminal, std::function<void(size_t)> between)
{
  return [&lab, rounds, terminal, between](cli::AppContext& ctx) {
    ctx.out_is_terminal = terminal;
    auto seen = std::make_shared<size_t>(0);
    ctx.interrupted = [&lab, rounds, between, seen]() {
      size_t shows = 0;
      for (const auto& exec : lab.fake.execs()) {
        shows += exec.command == k_show ? 1 : 0;
      }
      const size_t polls = shows / 3;
      while (*seen < polls) {
        ++*seen;
        if (between) {
          between(*seen);
        }
      }
      return polls >= rounds;
    };
  };
}

} // namespace testsupport::fakelab
