#include "kube/process_setup.hpp"

#include <openssl/crypto.h>

#include <malloc.h>

#if defined(KOI_STATIC_BUILD)
#include <nss.h>
#endif

namespace kube {

#if defined(KOI_STATIC_BUILD)
namespace {
// Before every C++ static initialiser of the binary, cpp-httplib's SSLInit included, which
// initialises OpenSSL at start-up; the first initialisation settles whether openssl.cnf is read.
// (The developer build links Debian's libcpp-httplib.so, initialised before this program.)
__attribute__((constructor(101))) void
settle_openssl_configuration_first()
{
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
}
} // namespace
#endif

void
prepare_process()
{
  // The first initialisation decides whether the configuration is ever loaded: the later,
  // implicit one inside SSL_CTX_new asks for it but finds it settled.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
#if defined(KOI_STATIC_BUILD)
  // glibc >= 2.34 has the files and dns modules built in, also in libc.a; naming only them
  // means no module is ever loaded from the host.
  __nss_configure_lookup("hosts", "files dns");
#endif
  // glibc gives the free memory at the top of a heap back to the kernel past 128 KiB; a node's
  // rows freed at the end of one node are needed again by the next, so `tunnels` at 1,000 nodes
  // took 240,000 page faults (a sixth of its CPU) for the same memory over and over. Kept up to
  // 64 MiB, which the peak RSS already holds. (Setting it fixes glibc's mmap threshold, so that
  // is set too: blocks of 4 MiB and more are mapped on their own.)
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
}

} // namespace kube
