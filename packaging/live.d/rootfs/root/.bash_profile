# The admin's shell on the imgcast live system.
[ -f ~/.bashrc ] && . ~/.bashrc
cat <<'TEXT'
imgcast live system: admin shell. The kiosk is on Alt+F1 (Ctrl+Alt+F1 from here under X).
  img info                      disks and network cards
  img session NAME client       join a session (img --help for the rest)
  journalctl -u imgcast-kiosk   the kiosk's log
Nothing here writes a disk unless you ask. 'poweroff' or 'reboot' when done.
TEXT
