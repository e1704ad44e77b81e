#pragma once
// API JSON <-> our small resource structs. Pure: tolerant of missing fields (absent = empty),
// strict about wrong types (ApiError naming the field), since the input is a server's answer.

#include "kube/bounded_json.hpp"
#include "kube/cluster.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace kube {

// A v1 PodList (or any object with "items" of pods).
std::vector<Pod> pods_from_list(const nlohmann::json& list);
Pod pod_from_json(const nlohmann::json& pod);

// What of a PodList page pods_from_list reads, plus its continue token: all a page parse keeps.
const JsonFields& pod_list_fields();

// A list page's metadata.continue: "" on the last page.
std::string list_continue(const nlohmann::json& list);

// Roughly what a converted object takes on the heap, for the command's memory budget.
std::size_t held_bytes(const Pod& pod);
std::size_t held_bytes(const CertificateSigningRequest& csr);
std::size_t held_bytes(const Node& node);

// A v1 Secret; data values are base64 in JSON and decoded bytes in Secret.
Secret secret_from_json(const nlohmann::json& secret);
nlohmann::json secret_to_json(const Secret& secret);

// A certificates.k8s.io/v1 CertificateSigningRequestList.
std::vector<CertificateSigningRequest> csrs_from_list(const nlohmann::json& list);

// The Nodes of a NodeList page (name, annotations).
std::vector<Node> nodes_from_list(const nlohmann::json& list);

// What of a NodeList page nodes_from_list reads, plus its continue token.
const JsonFields& node_list_fields();

// What of a CSR list page csrs_from_list reads, plus its continue token.
const JsonFields& csr_list_fields();

// An apps/v1 Deployment or DaemonSet.
Workload workload_from_json(const nlohmann::json& object);

} // namespace kube
