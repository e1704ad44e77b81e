#include "cli/completion_scripts.hpp"

#include "util/error.hpp"

#include <algorithm>

namespace cli {

namespace {

// Each script completes the plugin run by its own file name and reads cobra's protocol
// (candidates, TAB descriptions, ":<directive>"): 1 = error, 2 = no space, 4 = no file names.
// `kubectl ko ipsec <TAB>` itself is completed by kubectl's own scripts through the
// kubectl_complete-* program, so these never touch kubectl's completion.

constexpr const char* k_bash = R"SH(# bash completion for kubectl-ko-ipsec                    -*- shell-script -*-
# Completes the plugin run by its file name: kubectl-ko-ipsec, kubectl-ko_ipsec.
# `kubectl ko ipsec <TAB>` is completed by kubectl's own completion (kubectl >= 1.26)
# through kubectl_complete-ko-ipsec on PATH (`kubectl ko ipsec completion kubectl`).
# Load:  source <(kubectl-ko-ipsec completion bash)

_kubectl_ko_ipsec_complete()
{
    local line=${COMP_LINE:0:COMP_POINT}
    local -a words
    read -r -a words <<<"$line"
    if [[ ${#words[@]} -eq 0 || $line == *[[:space:]] ]]; then
        words+=("")
    fi
    local cur=${words[${#words[@]}-1]}
    local out directive
    out=$("${words[0]}" __complete "${words[@]:1}" 2>/dev/null) || return 0
    directive=${out##*:}
    out=${out%:*}
    [[ $directive == "$out" ]] && directive=0
    (( directive & 1 )) && return 0
    (( directive & 2 )) && compopt -o nospace 2>/dev/null
    (( directive & 4 )) && compopt +o default 2>/dev/null

    local -a values=()
    local candidate
    while IFS= read -r candidate; do
        [[ -n $candidate ]] && values+=("${candidate%%$'\t'*}")
    done <<<"$out"
    # bash replaces only the part after "=" and ":" (COMP_WORDBREAKS); values come back bare.
    local word=$cur
    [[ $word == -*=* ]] && word=${word#*=}
    mapfile -t COMPREPLY < <(compgen -W "${values[*]}" -- "$word")
    if [[ $word == *:* && $COMP_WORDBREAKS == *:* ]]; then
        local colon_prefix=${word%"${word##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$colon_prefix"}
        done
    fi
}
complete -o default -F _kubectl_ko_ipsec_complete kubectl-ko-ipsec kubectl-ko_ipsec
)SH";

constexpr const char* k_zsh = R"SH(#compdef kubectl-ko-ipsec kubectl-ko_ipsec
# zsh completion for kubectl-ko-ipsec: completes the plugin run by its file name.
# `kubectl ko ipsec <TAB>` is completed by kubectl's own completion (kubectl >= 1.26)
# through kubectl_complete-ko-ipsec on PATH (`kubectl ko ipsec completion kubectl`).
# Load:  source <(kubectl-ko-ipsec completion zsh)        (after compinit)
#   or:  save as _kubectl-ko-ipsec in a directory of $fpath

_kubectl_ko_ipsec()
{
    local out directive candidate
    local -a candidates
    out=$("${words[1]}" __complete "${(@)words[2,CURRENT-1]}" "$PREFIX" 2>/dev/null) || return 1
    directive=${out##*:}
    out=${out%:*}
    [[ $directive == "$out" ]] && directive=0
    (( directive & 1 )) && return 1
    for candidate in "${(@f)out}"; do
        [[ -z $candidate ]] && continue
        if [[ $candidate == *$'\t'* ]]; then
            candidates+=("${${candidate%%$'\t'*}//:/\\:}:${candidate#*$'\t'}")
        else
            candidates+=("${candidate//:/\\:}")
        fi
    done
    # "--context=ki": match only what follows the "=", values come back bare.
    [[ $PREFIX == -*=* ]] && compset -P '*='
    if (( ${#candidates} )); then
        if (( directive & 2 )); then
            _describe -t values 'values' candidates -S ''
        else
            _describe -t values 'values' candidates
        fi
        return
    fi
    (( directive & 4 )) && return 1
    _files
}

if [[ $funcstack[1] == _kubectl-ko-ipsec ]]; then
    _kubectl_ko_ipsec "$@"
else
    compdef _kubectl_ko_ipsec kubectl-ko-ipsec kubectl-ko_ipsec
fi
)SH";

constexpr const char* k_fish = R"SH(# fish completion for kubectl-ko-ipsec: completes the plugin run by its file name.
# `kubectl ko ipsec <TAB>` is completed by kubectl's own completion (kubectl >= 1.26)
# through kubectl_complete-ko-ipsec on PATH (`kubectl ko ipsec completion kubectl`).
# Load:  kubectl-ko-ipsec completion fish | source
#   or:  save as ~/.config/fish/completions/kubectl-ko-ipsec.fish

function __kubectl_ko_ipsec_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l out ($program __complete $tokens $current 2>/dev/null)
    or return
    set -l directive (string replace -r -- '^:' '' $out[-1])
    set -e out[-1]
    if test (math "bitand($directive, 1)") -ne 0
        return
    end
    # "--context=ki": fish matches the whole token, so give the flag back with each value.
    set -l flag (string match -r -- '^-[^=]*=' $current)
    for candidate in $out
        test -n "$candidate"; and printf '%s%s\n' "$flag" "$candidate"
    end
    if test (count $out) -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path $current
    end
end

complete -c kubectl-ko-ipsec -f -a '(__kubectl_ko_ipsec_complete)'
complete -c kubectl-ko_ipsec -f -a '(__kubectl_ko_ipsec_complete)'
)SH";

} // namespace

const std::vector<std::string>&
completion_shells()
{
  static const std::vector<std::string> k_shells{"bash", "zsh", "fish", "kubectl"};
  return k_shells;
}

std::string
plugin_file_name(const std::string& invoked_as)
{
  std::string name = invoked_as;
  std::replace(name.begin(), name.end(), '-', '_');
  std::replace(name.begin(), name.end(), ' ', '-');
  return name;
}

std::string
completer_file_name(const std::string& invoked_as)
{
  std::string name = plugin_file_name(invoked_as);
  const size_t dash = name.find('-');
  return dash == std::string::npos ? name : name.replace(dash, 1, "_complete-");
}

std::string
completion_script(const std::string& shell, const std::string& invoked_as)
{
  if (shell == "bash") {
    return k_bash;
  }
  if (shell == "zsh") {
    return k_zsh;
  }
  if (shell == "fish") {
    return k_fish;
  }
  if (shell == "kubectl") {
    // kubectl passes only the words after the plugin name; exec keeps the shell's wait short.
    return "#!/bin/sh\n# kubectl (>= 1.26) runs " + completer_file_name(invoked_as) + " from PATH to complete `" +
           invoked_as + " ...`.\nexec " + plugin_file_name(invoked_as) + " __complete \"$@\"\n";
  }
  throw util::UsageError("unknown shell \"" + shell + "\" for completion: use bash, zsh, fish or kubectl");
}

} // namespace cli
