#pragma once
// Turns an HTTP error response from the API server into an ApiError whose message reads like
// kubectl's ("Error from server (Forbidden): ..."), from the metav1.Status body when there is one.

#include "kube/errors.hpp"

#include <string>
#include <string_view>

namespace kube {

// `http_status` and `body` of the response; `context` says what we asked for
// ("GET /api/v1/namespaces/kube-system/pods"), used when the body is not a Status.
ApiError api_error_from_response(int http_status, std::string_view body, std::string_view context);

} // namespace kube
