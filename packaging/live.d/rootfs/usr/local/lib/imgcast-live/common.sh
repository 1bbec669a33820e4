# Shared by the imgcast live system's scripts (sourced, not run).

# The kernel command line's value for KEY (imgcast.session=doug -> doug), or "" if absent.
# Values cannot contain spaces; that is what a kernel command line allows without quoting.
cmdline_value() {
    local word
    for word in $(cat /proc/cmdline); do
        case "$word" in
            "$1="*) printf '%s\n' "${word#*=}"; return 0 ;;
        esac
    done
    return 0
}

# A status line for whoever watches a serial console (a PXE room's console server, the
# VM tests in packaging/live-smoke): written to every active serial console, if any.
say() {
    local console
    for console in $(cat /sys/class/tty/console/active 2>/dev/null); do
        case "$console" in
            ttyS*|ttyAMA*|hvc*) printf 'imgcast-live: %s\r\n' "$*" > "/dev/$console" 2>/dev/null || true ;;
        esac
    done
}

# Seconds since the kernel started (the boot time the tests and the docs quote).
uptime_seconds() {
    cut -d' ' -f1 /proc/uptime
}
