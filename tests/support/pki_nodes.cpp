#include "support/pki_nodes.hpp"

#include "support/commands.hpp"
#include "ipsec/init_plan.hpp"
#include "support/subprocess.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace testsupport {

namespace {

// A stand-in for ovs-vsctl: the system-id and other_config:* as files under $KOI_NODE_DIR/ovsdb.
constexpr const char* k_ovs_vsctl_stub = R"SH(#!/bin/sh
db="$KOI_NODE_DIR/ovsdb"; mkdir -p "$db"
if [ "$1" = --if-exists ]; then shift; fi
case "$1" in
  get) k=${4#other_config:}; k=${k#external_ids:}
       if [ -f "$db/$k" ]; then printf '"%s"\n' "$(cat "$db/$k")"; exit 0; fi
       echo "ovs-vsctl: no key \"$k\"" >&2; exit 1;;
  set) shift 3; for kv in "$@"; do k=${kv%%=*}; k=${k#other_config:}; printf '%s' "${kv#*=}" > "$db/$k"; done; exit 0;;
esac
echo "ovs-vsctl stub: unsupported $*" >&2; exit 1
)SH";

// strongSwan's CA list, as the lab shows it (docs/reference/lab.md; tests/lab): charon reads every
// file in /etc/ipsec.d/cacerts (the first certificate of each) at start and on `ipsec
// rereadcacerts`, dropping CAs whose file is gone; `ipsec listcacerts` prints what it holds. The
// snapshot in loaded-cacerts/ stands for what charon holds; the key ids come from openssl itself.
constexpr const char* k_reread_cacerts = R"SH(rm -rf "$1/loaded-cacerts"; mkdir -p "$1/loaded-cacerts"
for f in "$1/etc/ipsec.d/cacerts"/*; do [ -f "$f" ] && cp "$f" "$1/loaded-cacerts/"; done; exit 0
)SH";
constexpr const char* k_list_cacerts = R"SH(echo; echo "List of X.509 CA Certificates"; echo
for f in "$1/loaded-cacerts"/*; do
  [ -f "$f" ] || continue
  id=$(openssl x509 -in "$f" -noout -ext subjectKeyIdentifier 2>/dev/null | sed -n 2p | tr -d ' ' | tr A-F a-f)
  echo "  subject:  \"$(openssl x509 -in "$f" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')\""
  [ -n "$id" ] && echo "  subjkeyId: $id"
done; exit 0
)SH";

} // namespace

PkiNodes::PkiNodes()
{
  lab.answer_cert_probe = false; // the nodes' real files answer instead
  m_stub_bin = m_dir.path() + "/bin";
  m_dir.write("bin/ovs-vsctl", k_ovs_vsctl_stub, 0755);
  // The fake lab's three nodes become PKI nodes.
  for (int i = 1; i <= 3; ++i) {
    add_node("n" + std::to_string(i), fakelab::k_chassis[static_cast<size_t>(i - 1)]);
  }
}

std::string
PkiNodes::root(const std::string& name) const
{
  return m_dir.path() + "/nodes/" + name;
}

void
PkiNodes::add_node(const std::string& name, const std::string& id)
{
  m_dir.write("nodes/" + name + "/ovsdb/system-id", id);
  const std::string pod = "ovs-ovn-" + name.substr(1);
  lab.fake.remove_pod(pod);
  lab.fake.add_pod(make_pod("kube-system", pod, name, {{"app", "ovs"}}, "openvswitch"));
  lab.fake.on_exec(pod, [this, name](const kube::ExecRequest& r) { return run_in_node(name, r); });
}

kube::ExecResult
PkiNodes::run_in_node(const std::string& name, const kube::ExecRequest& request)
{
  std::vector<std::string> argv = request.command;
  if (argv.empty()) {
    return {127, "", "no command"};
  }
  std::string joined;
  for (const auto& arg : argv) {
    joined += (joined.empty() ? "" : " ") + arg;
  }
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_fail_next.begin(); it != m_fail_next.end(); ++it) {
      if (it->first == name && joined.find(it->second) != std::string::npos) {
        m_fail_next.erase(it);
        return {1, "", "fake node: failed on purpose (" + name + ")"};
      }
    }
  }
  if (argv == std::vector<std::string>{"ipsec", "rereadcacerts"} ||
      argv == std::vector<std::string>{"ipsec", "listcacerts"}) {
    const auto run =
        testsupport::run({"sh", "-c", argv[1] == "listcacerts" ? k_list_cacerts : k_reread_cacerts, "sh", root(name)},
                         {"PATH=/usr/bin:/bin"}, "", 60000);
    return {run.exit_code, run.out, run.err};
  }
  if (argv[0] == "ovs-appctl" || argv[0] == "ipsec") {
    return {0, "", ""}; // refresh, reload, status: the daemons run and have nothing to reload here
  }
  if (argv == ipsec::reload_credentials_command()) {
    return {0, "", ""}; // no daemons or tunnels here (the bring-up detaches at once in a real pod)
  }
  if (argv[0] == "sh" && argv.size() > 2 && argv[2].find("openssl genrsa") != std::string::npos &&
      std::find(m_broken.begin(), m_broken.end(), name) != m_broken.end()) {
    return {1, "", "openssl: error while loading shared libraries: libcrypto.so.3"};
  }
  if (argv[0] == "sh" && argv.size() > 2 && argv[2].find("mv -f \"$2.new\"") != std::string::npos) {
    if (const auto it = std::find(m_broken_install.begin(), m_broken_install.end(), name);
        it != m_broken_install.end()) {
      m_broken_install.erase(it);
      return {1, "", "the certificate arrived incomplete; nothing was changed"};
    }
  }
  if (argv[0] == "sh") {
    // The script's file arguments point into the node's own tree.
    for (size_t i = 4; i < argv.size(); ++i) {
      if (argv[i].rfind(k_ipsec_dir, 0) == 0) {
        argv[i] = root(name) + argv[i];
      }
    }
  } else if (argv[0] == "ovs-vsctl") {
    argv[0] = m_stub_bin + "/ovs-vsctl";
  } else {
    return {127, "", "fake node: unexpected command " + argv[0]};
  }
  const auto run = testsupport::run(argv, {"PATH=" + m_stub_bin + ":/usr/bin:/bin", "KOI_NODE_DIR=" + root(name)},
                                    request.stdin_data.value_or(""), 60000);
  return {run.exit_code, run.out, run.err};
}

std::vector<std::string>
PkiNodes::loaded_ca_ids(const std::string& name)
{
  const auto run = testsupport::run({"sh", "-c", k_list_cacerts, "sh", root(name)}, {"PATH=/usr/bin:/bin"}, "", 60000);
  std::vector<std::string> ids;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    if (const auto at = line.find("subjkeyId: "); at != std::string::npos) {
      ids.push_back(line.substr(at + 11));
    }
  }
  return ids;
}

std::string
PkiNodes::file(const std::string& name, const std::string& path) const
{
  std::ifstream in(root(name) + path, std::ios::binary);
  if (!in) {
    return "";
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int
PkiNodes::file_mode(const std::string& name, const std::string& path) const
{
  struct stat st {};
  if (::stat((root(name) + path).c_str(), &st) != 0) {
    return -1;
  }
  return static_cast<int>(st.st_mode & 07777);
}

void
PkiNodes::remove_file(const std::string& name, const std::string& path) const
{
  std::filesystem::remove(root(name) + path);
}

std::string
PkiNodes::other_config(const std::string& name, const std::string& key) const
{
  return file(name, "/ovsdb/" + key);
}

} // namespace testsupport
