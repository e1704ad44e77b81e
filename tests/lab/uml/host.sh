# shellcheck shell=bash
# The host side of the UML lab: preflight, booting the guest, the file queue (docs/reference/lab.md §14.4),
# power-off, and the commands of lab-uml. Layout of <dir>:
#   uml.env        state: the guest's PID (= its process group), nodes, layout, certificates
#   guest-init     a copy of uml/guest-init (the kernel needs an executable file)
#   console.log    the guest's console; uml/ its umid directory
#   share/         the guest's /mnt/out: guest.log, up.log (`lab up` inside), ready (its exit
#                  code), q/ (the queue: <id>.req, .in -> .out, .err, .rc)
#   cluster.json   the test API server's cluster description

UML_DEFAULT_DIR=/tmp/kubectl-ko-ipsec-uml
UML_MEM_MB=${KOI_UML_MEM_MB:-1024}
UML_BOOT_TIMEOUT=${KOI_UML_BOOT_TIMEOUT:-1200}
UML_EXEC_TIMEOUT=${KOI_UML_EXEC_TIMEOUT:-300}
UML_POWEROFF_WAIT=30
GUEST_LAB_DIR=/mnt/lab # the guest's lab directory (tmpfs); its namespaces use the default prefix "lab"

uml_state() { printf '%s/uml.env' "$UML_DIR"; }
uml_share() { printf '%s/share' "$UML_DIR"; }

# The guest's kernel and the nodes' OVS datapath. The lab's own kernel (uml/build-kernel.sh,
# cached outside the checkout) when it is built: it has conntrack zones, so the kernel datapath
# (system) runs OVN's flows and Geneve passes xfrm, i.e. is really encrypted. Otherwise Debian's
# `linux` (user-mode-linux), which lacks them: the userspace datapath (netdev), Geneve in clear
# (docs/reference/lab.md §14.7, §14.8). KOI_UML_KERNEL=debian forces Debian's, KOI_UML_KERNEL=PATH
# another kernel (then with the kernel datapath).
uml_pick_kernel() {
  case ${KOI_UML_KERNEL:-} in
    debian) UML_KERNEL=$(command -v linux || true) ;;
    '') UML_KERNEL=$(bash "$UML_HOME/build-kernel.sh" --path 2>/dev/null || command -v linux || true) ;;
    *) UML_KERNEL=$KOI_UML_KERNEL ;;
  esac
  if [ -n "$UML_KERNEL" ] && [ "$UML_KERNEL" = "$(command -v linux || true)" ]; then
    UML_DATAPATH=netdev
  else
    UML_DATAPATH=system
  fi
}

uml_version() { "${UML_KERNEL:-linux}" --version 2>/dev/null | head -n 1; }

# Fails with one line when the guest cannot run here: not root, no User-Mode Linux, no room in
# /dev/shm (the guest's memory is a file there), or a package the lab inside needs is missing.
uml_preflight() {
  [ "$(id -u)" = 0 ] || die "must run as root (the lab inside the guest reads the host's root-only files over hostfs)"
  [ -n "$UML_KERNEL" ] || die "User-Mode Linux is not installed (no \`linux\` on PATH): apt-get install user-mode-linux"
  [ -x "$UML_KERNEL" ] || die "the UML kernel $UML_KERNEL is not an executable file (KOI_UML_KERNEL)"
  local version
  version=$(uml_version)
  # Debian's kernel loads its modules; the lab's own has everything built in.
  [ "$UML_DATAPATH" = system ] || [ -d "/usr/lib/uml/modules/$version" ] ||
    die "no modules for the UML kernel $version in /usr/lib/uml/modules (reinstall user-mode-linux)"
  local avail_kb
  avail_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')
  [ -n "$avail_kb" ] && [ "$avail_kb" -ge $((UML_MEM_MB * 1024)) ] ||
    die "/dev/shm has ${avail_kb:-no} KB free, the guest needs $((UML_MEM_MB * 1024)) KB (set KOI_UML_MEM_MB lower or enlarge /dev/shm)"
  preflight # the guest runs the host's own OVN/OVS/strongSwan binaries
}

uml_lock() {
  mkdir -p "$(dirname "$UML_DIR")"
  exec 9>"$UML_DIR.lock"
  flock -w 1200 9 || die "another lab --uml command holds $UML_DIR.lock for more than 20 min"
}

save_uml_state() {
  {
    printf 'UML_PID=%q\n' "$UML_PID"
    printf 'UML_NODES=%q\n' "$UML_NODES"
    printf 'UML_LAYOUT=%q\n' "$UML_LAYOUT"
    printf 'UML_CERTS=%q\n' "$UML_CERTS"
    printf 'UML_KERNEL=%q\n' "$UML_KERNEL"
    printf 'UML_DATAPATH=%q\n' "$UML_DATAPATH"
  } >"$(uml_state).tmp"
  mv "$(uml_state).tmp" "$(uml_state)"
}

load_uml_state() {
  [ -f "$(uml_state)" ] || die "no UML lab in $UML_DIR (start one with: $LAB_SELF up)"
  # shellcheck disable=SC1090
  source "$(uml_state)"
}

# The recorded guest still runs: the PID is alive and its command line is our boot's (builtins
# only: exec polls this while the machine is busy).
guest_alive() {
  [ -n "${UML_PID:-}" ] && alive "$UML_PID" || return 1
  local words=()
  { mapfile -d '' words <"/proc/$UML_PID/cmdline"; } 2>/dev/null || return 1
  [[ " ${words[*]} " == *" init=$UML_DIR/guest-init "* ]]
}

# sleep(1) without a process: a read with a timeout on a pipe nobody writes to.
snooze() {
  [ -n "${SNOOZE_FD:-}" ] || exec {SNOOZE_FD}<> <(:)
  read -r -t "$1" -u "$SNOOZE_FD" || true
}

# Loads the state and fails unless the guest runs and its `lab up` succeeded.
require_guest() {
  load_uml_state
  guest_alive || die "the UML guest of $UML_DIR (PID $UML_PID) is not running; see $UML_DIR/console.log, then: $LAB_SELF --dir $UML_DIR down"
  [ "$(cat "$(uml_share)/ready" 2>/dev/null)" = 0 ] || die "the lab in the UML guest of $UML_DIR is not up (see $(uml_share)/up.log)"
}

# ---- the queue --------------------------------------------------------------------------------

# One argument as a POSIX sh word (the guest runs requests with sh, which has no $'…').
sh_quote() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

sh_words() {
  local a out=()
  for a in "$@"; do out+=("$(sh_quote "$a")"); done
  printf '%s' "${out[*]}"
}

# Runs the sh script $1 in the guest with stdin from file $2 ("" = none); passes its stdout,
# stderr and exit code through. Gives up after UML_EXEC_TIMEOUT s or when the guest dies.
run_in_guest() {
  local script=$1 input=$2 q id
  q="$(uml_share)/q"
  id="$q/${EPOCHREALTIME/./}-$$-$RANDOM"
  [ -z "$input" ] || mv "$input" "$id.in"
  printf '%s\n' "$script" >"$id.tmp"
  mv "$id.tmp" "$id.req"
  local deadline=$((SECONDS + UML_EXEC_TIMEOUT)) n=0
  until [ -e "$id.rc" ]; do
    snooze 0.05
    n=$((n + 1))
    ((n % 40)) || {
      guest_alive || die "the UML guest (PID $UML_PID) died while running a command (see $UML_DIR/console.log)"
      [ "$SECONDS" -lt "$deadline" ] || die "no answer from the UML guest after $UML_EXEC_TIMEOUT s to: $script"
    }
  done
  cat "$id.out" 2>/dev/null || true
  cat "$id.err" >&2 2>/dev/null || true
  local rc
  rc=$(cat "$id.rc")
  rm -f "$id".*
  return "$rc"
}

# `lab COMMAND ARGS…` inside the guest.
guest_lab() { run_in_guest "exec /bin/bash $(sh_words "$LAB_HOME/lab" --dir "$GUEST_LAB_DIR" "$@")" ""; }

# ---- boot and power-off -----------------------------------------------------------------------

boot_guest() {
  local share
  share=$(uml_share)
  rm -rf "$share" "$UML_DIR/uml"
  mkdir -p "$share/q" "$UML_DIR/uml"
  install -m 755 "$UML_HOME/guest-init" "$UML_DIR/guest-init"
  # A new session (setsid, no fork: a background job is no group leader), so the guest's
  # host processes form one process group whose id is the recorded PID. The memory file goes to
  # /dev/shm (TMPDIR); stdio to console.log, the lock fd closed, so no caller waits on us.
  setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$UML_DIR" TMPDIR=/dev/shm \
    "$UML_KERNEL" "mem=${UML_MEM_MB}M" "uml_dir=$UML_DIR/uml" umid=lab root=/dev/root rootfstype=hostfs rootflags=/ ro \
    "init=$UML_DIR/guest-init" "KOI_UML_SHARE=$share" "KOI_UML_LAB_HOME=$LAB_HOME" "KOI_UML_NODES=$OPT_NODES" \
    "KOI_UML_LAYOUT=$UML_LAYOUT" "KOI_UML_CERTS=$OPT_CERTS" "KOI_LAB_DATAPATH=$UML_DATAPATH" con=null con0=null,fd:1 quiet \
    </dev/null >"$UML_DIR/console.log" 2>&1 9>&- &
  UML_PID=$!
}

# Waits for the guest's `lab up` to end; returns its exit code (or fails when the guest died or
# the deadline passed).
wait_ready() {
  local ready deadline=$((SECONDS + UML_BOOT_TIMEOUT))
  ready="$(uml_share)/ready"
  until [ -s "$ready" ]; do
    guest_alive || { warn "the UML guest exited during bring-up (see $UML_DIR/console.log)"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { warn "the lab in the UML guest was not up after $UML_BOOT_TIMEOUT s"; return 1; }
    snooze 0.5
  done
  return "$(cat "$ready")"
}

# Asks the guest to power off, waits for the recorded PID, then signals only its process group.
power_off() {
  guest_alive || return 0
  : >"$(uml_share)/q/poweroff"
  local deadline=$((SECONDS + UML_POWEROFF_WAIT))
  while guest_alive && [ "$SECONDS" -lt "$deadline" ]; do snooze 0.2; done
  local sig
  for sig in TERM KILL; do
    guest_alive || break
    warn "the guest did not power off; sending SIG$sig to its process group $UML_PID"
    kill "-$sig" -- "-$UML_PID" 2>/dev/null || true
    deadline=$((SECONDS + 5))
    while guest_alive && [ "$SECONDS" -lt "$deadline" ]; do snooze 0.2; done
  done
  ! guest_alive || die "the UML guest (PID $UML_PID) is still running"
}

# ---- commands ---------------------------------------------------------------------------------

write_uml_cluster_json() {
  python3 "$UML_HOME/cluster_json_uml.py" --dir "$UML_DIR" --nodes "$UML_NODES" --layout "$1" --out "$2"
}

uml_up() {
  uml_preflight
  [[ $OPT_NODES =~ ^[1-9]$ ]] || die "--nodes must be 1…$LAB_MAX_NODES, not $OPT_NODES"
  uml_lock
  if [ -f "$(uml_state)" ]; then
    load_uml_state
    if guest_alive; then
      require_guest
      say "already up in $UML_DIR (guest PID $UML_PID, $UML_NODES); to start afresh: $LAB_SELF --dir $UML_DIR down"
      return 0
    fi
    warn "the guest recorded in $UML_DIR is gone; starting afresh"
  fi
  UML_LAYOUT=${OPT_LAYOUT:-ovs-ovn}
  UML_CERTS=$OPT_CERTS
  local i nodes=()
  for ((i = 1; i <= OPT_NODES; i++)); do nodes+=("node$i"); done
  UML_NODES=${nodes[*]}
  mkdir -p "$UML_DIR"
  boot_guest
  save_uml_state
  say "guest booting (PID $UML_PID, $(uml_version), ${UML_MEM_MB} MB, datapath $UML_DATAPATH); waiting for lab up inside (log: $(uml_share)/up.log)"
  if ! wait_ready; then
    warn "lab up in the UML guest failed after $(elapsed) s; last lines of $(uml_share)/up.log:"
    tail -n 5 "$(uml_share)/up.log" >&2 2>/dev/null || true
    power_off
    rm -f "$(uml_state)"
    die "up failed (console: $UML_DIR/console.log, guest: $(uml_share)/guest.log)"
  fi
  write_uml_cluster_json "$UML_LAYOUT" "$UML_DIR/cluster.json"
  say "up in $(elapsed) s: UML guest PID $UML_PID with central + $UML_NODES (lab dir $GUEST_LAB_DIR inside)"
  say "cluster description for tests/apiserver: $UML_DIR/cluster.json (layout $UML_LAYOUT)"
}

uml_down() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  uml_lock
  if [ ! -f "$(uml_state)" ]; then
    say "no UML lab in $UML_DIR: nothing to do"
    return 0
  fi
  load_uml_state
  power_off
  rm -rf "$(uml_share)/q" "$UML_DIR/uml" "$UML_DIR/guest-init" "$UML_DIR/cluster.json"
  rm -f "$(uml_state)"
  say "down in $(elapsed) s (logs kept: $UML_DIR/console.log, $(uml_share)/up.log)"
}

uml_status() {
  require_guest
  say "guest PID $UML_PID up $(ps -o etimes= -p "$UML_PID" | tr -d ' ') s, $(uml_version), datapath ${UML_DATAPATH:-netdev}, dir $UML_DIR"
  guest_lab status
}

uml_exec() {
  (($# >= 2)) || die "usage: lab --uml exec NODE -- CMD [ARGS...]"
  require_guest
  local name=$1 input=
  shift
  [ "$name" = central ] || [[ " $UML_NODES " == *" $name "* ]] || die "no member \"$name\" (members: central $UML_NODES)"
  # The queue has no streams: stdin (unless a terminal) is read to its end first.
  if [ ! -t 0 ]; then
    input=$(mktemp "$(uml_share)/q/stdin.XXXXXX")
    cat >"$input"
  fi
  run_in_guest "exec $(sh_words nsenter "--net=/run/netns/lab-$name" "--mount=$GUEST_LAB_DIR/ns/$name.mnt" \
    "--wd=$GUEST_LAB_DIR/nodes/$name/work" -- "$@")" "$input"
}

uml_forward() {
  require_guest
  guest_lab "$@"
}

uml_add_node() {
  uml_lock
  require_guest
  guest_lab add-node
  local last=${UML_NODES##* }
  UML_NODES="$UML_NODES node$(($(node_index "$last") + 1))"
  save_uml_state
  write_uml_cluster_json "$UML_LAYOUT" "$UML_DIR/cluster.json"
}

uml_cluster_json() {
  require_guest
  write_uml_cluster_json "${OPT_LAYOUT:-$UML_LAYOUT}" "$OPT_OUT"
}
