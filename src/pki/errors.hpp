#pragma once
// Errors of the PKI code: one line saying what is wrong with which certificate, key or request.

#include "util/error.hpp"

namespace pki {

class PkiError : public util::Error {
public:
  using util::Error::Error;
};

} // namespace pki
