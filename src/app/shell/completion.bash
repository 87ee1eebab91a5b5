# bash completion for rds-migrate.
# Load it with:  source <(rds-migrate completion bash)
# or save it as ~/.local/share/bash-completion/completions/rds-migrate

# Sets words and cword from COMP_WORDS, joining back what bash split at '=' and ':'
# (--output=json, contexts such as arn:aws:eks:...) when no space separated the parts.
__rds_migrate_words() {
    local i word rest=${COMP_LINE-} trimmed spaced
    words=()
    cword=0
    for ((i = 0; i < ${#COMP_WORDS[@]} && i <= COMP_CWORD; i++)); do
        word=${COMP_WORDS[i]}
        spaced=0
        if [[ -n ${COMP_LINE-} ]]; then
            trimmed=${rest#"${rest%%[![:space:]]*}"}
            [[ ${#trimmed} -ne ${#rest} ]] && spaced=1
            rest=${trimmed#"$word"}
        fi
        if ((i > 1 && spaced == 0)) && [[ $word == [=:]* || ${words[${#words[@]}-1]} == *[=:] ]]; then
            words[${#words[@]}-1]+=$word
        else
            words+=("$word")
        fi
    done
    cword=$((${#words[@]} - 1))
}

_rds_migrate() {
    local words cword cur out directive line value prog last
    local -a lines
    COMPREPLY=()
    __rds_migrate_words
    cur=${words[cword]}
    prog=${words[0]/#\~/$HOME}
    out=$("$prog" __complete "${words[@]:1:cword}" 2>/dev/null) || return 0
    mapfile -t lines <<<"$out"
    last=$((${#lines[@]} - 1))
    directive=${lines[last]#:}
    [[ $directive =~ ^[0-9]+$ ]] || return 0
    unset "lines[last]"
    # The value of --flag=value is completed on its own, and after ':' bash replaces only what follows it.
    [[ $cur == -*=* ]] && cur=${cur#*=}
    for line in "${lines[@]}"; do
        value=${line%%$'\t'*}
        [[ -n $value && $value == "$cur"* ]] && COMPREPLY+=("${value#"${cur%"${cur##*:}"}"}")
    done
    if ((${#COMPREPLY[@]} == 0 && (directive & 4) == 0)); then
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    elif ((directive & 2)); then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -F _rds_migrate rds-migrate
