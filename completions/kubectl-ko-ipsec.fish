# fish completion for kubectl-ko-ipsec: completes the plugin run by its file name.
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
