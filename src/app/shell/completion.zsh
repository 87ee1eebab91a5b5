#compdef rds-migrate
# zsh completion for rds-migrate.
# Load it with:  source <(rds-migrate completion zsh)   (after compinit)
# or save it as _rds_migrate in a directory of $fpath

_rds_migrate() {
  local out directive line value desc
  local -a lines candidates flags
  out=$("${words[1]/#\~/$HOME}" __complete "${(@)words[2,CURRENT]}" 2>/dev/null) || return 1
  lines=("${(@f)out}")
  directive=${lines[-1]#:}
  [[ $directive == <-> ]] || return 1
  lines=("${(@)lines[1,-2]}")
  for line in "${lines[@]}"; do
    value=${line%%$'\t'*}
    [[ -n $value ]] || continue
    value=${value//:/\\:}
    if [[ $line == *$'\t'* ]]; then
      desc=${line#*$'\t'}
      candidates+=("$value:$desc")
    else
      candidates+=("$value")
    fi
  done
  # The value of --flag=value is completed on its own: put the flag back in front.
  [[ ${words[CURRENT]} == -*=* ]] && flags+=(-P "${words[CURRENT]%%=*}=")
  (( directive & 2 )) && flags+=(-S '')
  if (( ${#candidates} )); then
    _describe -t values 'rds-migrate' candidates "${flags[@]}"
  elif (( (directive & 4) == 0 )); then
    _files
  else
    return 1
  fi
}

if [[ ${funcstack[1]} == _rds_migrate ]]; then
  _rds_migrate "$@"
else
  compdef _rds_migrate rds-migrate
fi
