# bash completion for kubectl-ko-ipsec                    -*- shell-script -*-
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
