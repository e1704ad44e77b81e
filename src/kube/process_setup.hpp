#pragma once
// Process-wide settings made once in main(), before any connection: they make the binary behave
// the same on every distribution it is copied to, as kubectl's static Go binary does.

namespace kube {

// OpenSSL without openssl.cnf: a host's configuration (providers, engines, cipher strings meant
// for its own shared libcrypto) must not change how this binary talks TLS; kubectl reads none.
// In the static release build, host names are also looked up only in /etc/hosts and DNS
// (/etc/resolv.conf), never through nsswitch.conf modules: a static glibc would load the host's
// libnss_*.so, built for another glibc, into this process. And the allocator keeps freed memory
// for reuse rather than handing it back and faulting it in again.
void prepare_process();

} // namespace kube
