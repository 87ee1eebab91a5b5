# fish completion for rds-migrate.
# Load it with:  rds-migrate completion fish | source
# or save it as ~/.config/fish/completions/rds-migrate.fish

function __rds_migrate_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l prog (string replace -r '^~' $HOME -- $tokens[1])
    set -e tokens[1]
    set -l out (command $prog __complete $tokens "$current" 2>/dev/null); or return
    set -l directive (string replace -r '^:' '' -- $out[-1])
    string match -qr '^[0-9]+$' -- $directive; or return
    set -e out[-1]
    # The value of --flag=value is completed on its own: put the flag back in front.
    set -l flag ''
    if string match -qr -- '^-[^=]*=' $current
        set flag (string replace -r -- '=.*' '=' $current)
    end
    set -l found 0
    for line in $out
        test -n "$line"; or continue
        printf '%s%s\n' $flag $line
        set found 1
    end
    if test $found -eq 0; and test (math "bitand($directive, 4)") -eq 0
        __fish_complete_path $current
    end
end

complete -c rds-migrate -f -a '(__rds_migrate_complete)'
