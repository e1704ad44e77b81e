#pragma once
// How many execs one command keeps open against the API server at once. Every exec takes a
// slot first. With an adaptive policy the number of slots moves as TCP's window does: it
// starts at `initial`, grows by one per exec that went well until the first sign of trouble
// (slow start), then by one per `limit` good execs; a 429 on the upgrade, a 5xx, a connection
// the server dropped before the upgrade, or an upgrade much slower than the fastest seen halves
// it (once per round: execs started before a cut do not cut again). It never exceeds `cap`,
// whatever the answers, and never falls below one. A fixed policy (--concurrency N) keeps N.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace kube {

// The most execs an adaptive command opens at once, whatever the answers: a 1,000-node cluster
// is read 64 nodes at a time at most. Exec is a long-running request (outside the API server's
// max-in-flight limits), so this cap, not the server, is what keeps a command polite.
inline constexpr std::size_t k_exec_concurrency_cap = 64;
// Where the adaptive limit starts: above the 20 that earlier releases used, and half the cap.
inline constexpr std::size_t k_exec_concurrency_initial = 32;

struct ExecLimitPolicy {
  std::size_t initial = k_exec_concurrency_initial;
  std::size_t cap = k_exec_concurrency_cap;
  bool adaptive = true;
  // An upgrade is slow when it took longer than `slow_factor` times the fastest upgrade this
  // command has seen, and longer than `slow_floor` (a quick server's jitter is not a signal).
  double slow_factor = 4.0;
  std::chrono::milliseconds slow_floor{1000};

  // --concurrency N: exactly N, never adapted.
  static ExecLimitPolicy fixed(std::size_t n);
};

// How an exec went, as far as the API server's health is concerned.
enum class ExecSignal {
  ok,       // upgraded at a normal pace
  neutral,  // says nothing about the server (the command failed, the pod went away)
  slow,     // upgraded, but slowly
  overload, // 429, 5xx, or the connection dropped before the upgrade
};

class ExecLimiter {
public:
  // A held slot; released when destroyed. Move-only.
  class Slot {
  public:
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    // What the exec said about the server; the last report before release counts, and a 429
    // reported while the exec waits to retry cuts the limit at once.
    void report(ExecSignal signal);

  private:
    friend class ExecLimiter;
    Slot(ExecLimiter* owner, std::uint64_t round) : m_owner(owner), m_round(round) {}
    ExecLimiter* m_owner;
    std::uint64_t m_round; // the limiter's round when this slot was taken
    std::optional<ExecSignal> m_signal;
  };

  // `log` gets one line each time the limit is cut (for -v).
  explicit ExecLimiter(ExecLimitPolicy policy, std::function<void(const std::string&)> log = {});

  // Waits until fewer than limit() slots are held, then takes one.
  Slot acquire();
  // Classifies an upgrade that took `took` (and remembers the fastest).
  ExecSignal pace(std::chrono::milliseconds took);

  std::size_t limit() const;
  std::size_t peak() const; // most slots held at once so far
  int cuts() const;         // how many times the limit was cut

private:
  void overloaded(Slot& slot);
  void release(const Slot& slot);
  void cut(const Slot& slot, ExecSignal why); // needs m_mutex

  const ExecLimitPolicy m_policy;
  const std::function<void(const std::string&)> m_log;
  mutable std::mutex m_mutex;
  std::condition_variable m_freed;
  double m_limit;
  std::size_t m_in_flight = 0;
  std::size_t m_peak = 0;
  std::uint64_t m_round = 0; // bumped by every cut
  bool m_slow_start = true;
  int m_cuts = 0;
  std::optional<std::chrono::milliseconds> m_fastest;
};

} // namespace kube
