// koi_bench_receive: the "merely receive the bytes" floor for bench/run. Runs one command in
// many pods through kube::exec_over_websocket, `concurrency` at a time like the plugin's
// fan-out, with a stdout sink that only counts bytes, and prints one JSON line:
//   {"execs":N,"failed":F,"stdout_bytes":B,"wall_ms":W,"tls_handshakes":H,"tls_resumed":R}
//
// usage: koi_bench_receive --server https://127.0.0.1:PORT --ca CA.crt --token T
//                          --pods FILE (lines "namespace pod container") [--concurrency 10]
//                          [--no-resume] -- COMMAND...
#include "kube/errors.hpp"
#include "kube/exec_websocket.hpp"
#include "kube/tls_context.hpp"
#include "util/parallel.hpp"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string server;
  std::string ca_file;
  std::string token;
  std::string pods_file;
  size_t concurrency = 10;
  bool resume = true;
  std::vector<std::string> command;
};

std::string
read_file(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Options
parse_args(int argc, char** argv)
{
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        throw std::runtime_error(arg + " needs a value");
      }
      return argv[++i];
    };
    if (arg == "--server") {
      opt.server = value();
    } else if (arg == "--ca") {
      opt.ca_file = value();
    } else if (arg == "--token") {
      opt.token = value();
    } else if (arg == "--pods") {
      opt.pods_file = value();
    } else if (arg == "--concurrency") {
      opt.concurrency = std::stoul(value());
    } else if (arg == "--no-resume") {
      opt.resume = false;
    } else if (arg == "--") {
      opt.command.assign(argv + i + 1, argv + argc);
      break;
    } else {
      throw std::runtime_error("unknown argument " + arg);
    }
  }
  if (opt.server.rfind("https://", 0) != 0 || opt.ca_file.empty() || opt.pods_file.empty() || opt.command.empty()) {
    throw std::runtime_error("usage: koi_bench_receive --server https://HOST:PORT --ca FILE --token T --pods FILE "
                             "[--concurrency N] [--no-resume] -- COMMAND...");
  }
  return opt;
}

kube::Endpoint
endpoint_for(const Options& opt)
{
  const std::string rest = opt.server.substr(8);
  const auto colon = rest.rfind(':');
  kube::Endpoint endpoint;
  endpoint.host = rest.substr(0, colon);
  endpoint.port = colon == std::string::npos ? 443 : std::stoi(rest.substr(colon + 1));
  endpoint.tls.ca_pem = read_file(opt.ca_file);
  endpoint.tls.server_name = endpoint.host;
  return endpoint;
}

std::vector<kube::ExecRequest>
requests_for(const Options& opt)
{
  std::vector<kube::ExecRequest> requests;
  std::istringstream lines(read_file(opt.pods_file));
  std::string ns;
  std::string pod;
  std::string container;
  while (lines >> ns >> pod >> container) {
    kube::ExecRequest request;
    request.ns = ns;
    request.pod = pod;
    request.container = container;
    request.command = opt.command;
    request.timeout = std::chrono::minutes(5);
    requests.push_back(std::move(request));
  }
  return requests;
}

} // namespace

int
main(int argc, char** argv)
{
  try {
    const Options opt = parse_args(argc, argv);
    const kube::Endpoint endpoint = endpoint_for(opt);
    std::vector<kube::ExecRequest> requests = requests_for(opt);
    const std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer " + opt.token}};
    auto shared = opt.resume ? std::make_unique<kube::SharedTlsContext>(endpoint.tls) : nullptr;

    std::atomic<std::uint64_t> bytes{0};
    std::atomic<int> failed{0};
    const auto started = std::chrono::steady_clock::now();
    util::parallel_for(requests.size(), opt.concurrency, [&](size_t i) {
      std::uint64_t mine = 0;
      requests[i].stdout_sink = [&mine](std::string_view chunk) { mine += chunk.size(); };
      try {
        const auto result = kube::exec_over_websocket(endpoint, headers, requests[i], nullptr, shared.get());
        if (result.exit_code != 0) {
          ++failed;
        }
      } catch (const util::Error& e) {
        ++failed;
        std::cerr << e.what() << "\n";
      }
      bytes += mine;
    });
    const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    std::cout << fmt::format(R"({{"execs":{},"failed":{},"stdout_bytes":{},"wall_ms":{},"tls_handshakes":{},)"
                             R"("tls_resumed":{}}})",
                             requests.size(), failed.load(), bytes.load(), wall.count(),
                             shared ? shared->handshakes() : requests.size(), shared ? shared->resumed() : 0)
              << std::endl;
    return failed.load() == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "koi_bench_receive: " << e.what() << "\n";
    return 2;
  }
}
