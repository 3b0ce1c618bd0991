#!/bin/bash
# cmake --install into a staging tree, cpack -G DEB, then the .deb installed on this machine:
# unixcap runs from /usr/sbin, `man unixcap` renders, Wireshark loads the dissector and lists
# the extcap interface, bash completion answers. The package is removed again at the end.
# Usage: test_package.sh SOURCE_DIR BUILD_DIR   (root; dpkg, man, tshark)
set -u
src=$1
build=$2
fail=0
work=$(mktemp -d /tmp/uc-package.XXXXXX)
installed=0

had_group=1
cleanup() {
	[ $installed = 1 ] && dpkg -P unixcap >/dev/null 2>&1
	[ $had_group = 0 ] && groupdel unixcap 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

problem() {
	echo "FAIL: $*"
	fail=1
}

for tool in dpkg dpkg-deb cpack man tshark; do
	command -v $tool >/dev/null || { echo "test_package: $tool is not installed"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "test_package: needs root (dpkg -i)"; exit 1; }
if dpkg -s unixcap >/dev/null 2>&1; then
	echo "test_package: a unixcap package is already installed; not replacing it"
	exit 1
fi

# Staged install: every file where the layout says.
DESTDIR=$work/stage cmake --install "$build" --prefix /usr >"$work/install.log" 2>&1 ||
	problem "cmake --install: $(tail -3 "$work/install.log")"
arch=$(cmake --system-information 2>/dev/null | sed -n 's/^CMAKE_LIBRARY_ARCHITECTURE "\(.*\)"/\1/p')
ws=/usr/lib${arch:+/$arch}/wireshark
for f in /usr/sbin/unixcap /usr/share/man/man8/unixcap.8.gz $ws/plugins/unixcap.lua \
	/usr/share/bash-completion/completions/unixcap /usr/share/doc/unixcap/copyright \
	/usr/share/doc/unixcap/changelog.gz; do
	[ -f "$work/stage$f" ] || problem "cmake --install did not install $f"
done
[ "$(readlink -f "$work/stage$ws/extcap/unixcap")" = "$work/stage/usr/sbin/unixcap" ] ||
	problem "extcap link $ws/extcap/unixcap -> $(readlink "$work/stage$ws/extcap/unixcap")"

# Elsewhere (/usr/local) the plugin and extcap link land where Debian's Wireshark does not
# look: the install says so.
if [ -d "$ws" ]; then
	DESTDIR=$work/local cmake --install "$build" --prefix /usr/local >"$work/local.log" 2>&1
	grep -q "Wireshark reads plugins" "$work/local.log" ||
		problem "cmake --install --prefix /usr/local says nothing about Wireshark's directories"
	DESTDIR=$work/stage2 cmake --install "$build" --prefix /usr >"$work/usr.log" 2>&1
	grep -q "Wireshark reads plugins" "$work/usr.log" && problem "--prefix /usr warned"
fi

# The package.
(cd "$build" && cpack -G DEB -B "$work/pkg") >"$work/cpack.log" 2>&1 ||
	problem "cpack: $(tail -5 "$work/cpack.log")"
deb=$(ls "$work"/pkg/*.deb 2>/dev/null | head -1)
if [ -z "$deb" ]; then
	problem "cpack made no .deb"
	exit 1
fi
# Debian policy as lintian checks it: compressed man page, stripped binary, copyright,
# description lines.
if command -v lintian >/dev/null; then
	lintian --no-tag-display-limit "$deb" >"$work/lintian.log" 2>&1
	grep -E '^[EW]: ' "$work/lintian.log" && problem "lintian: $(grep -E '^[EW]: ' "$work/lintian.log" | head -5)"
else
	problem "lintian is not installed (tests/install-deps.sh --test)"
fi
dpkg-deb -x "$deb" "$work/x"
file "$work/x/usr/sbin/unixcap" | grep -q ", stripped" || problem "unixcap is not stripped"
[ -f "$work/x/usr/share/man/man8/unixcap.8.gz" ] || problem "man page not compressed"
dpkg-deb -f "$deb" Description | sed 1d | grep -q '^  ' && problem "description line indented twice"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf libpcap libzstd libc6; do
	echo "$depends" | grep -q "$lib" || problem "Depends lacks $lib: $depends"
done
had_group=0
getent group unixcap >/dev/null && had_group=1
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || problem "dpkg -i: $(tail -3 "$work/dpkg.log")"
installed=1
grep -qi "warning\|error" "$work/dpkg.log" && problem "dpkg -i said: $(cat "$work/dpkg.log")"
# postinst: the unixcap group may capture, others may not run it (tests/privileges has the
# capture itself as member and non-member).
getent group unixcap >/dev/null || problem "postinst made no unixcap group"
[ "$(stat -c '%U:%G %a' /usr/sbin/unixcap)" = "root:unixcap 750" ] ||
	problem "/usr/sbin/unixcap is $(stat -c '%U:%G %a' /usr/sbin/unixcap)"
capset() { sed 's/[+=]ep$//' | tr , '\n' | sort | tr '\n' ,; } # getcap has its own order
want=$(sed -n 's/^caps=//p' "$src/packaging/postinst" | capset)
got=$(getcap /usr/sbin/unixcap | sed 's/^[^ ]* //' | capset)
[ -n "$want" ] && [ "$got" = "$want" ] || problem "getcap /usr/sbin/unixcap: '$got', want '$want'"

[ "$(unixcap --version)" = "unixcap $(dpkg-deb -f "$deb" Version)" ] ||
	problem "installed unixcap --version: $(unixcap --version)"
# man finds and renders the page; every option of --help is in it.
page=$(MANWIDTH=200 man -P cat unixcap 2>"$work/man.err" | col -b)
echo "$page" | grep -q "unixcap - capture Unix domain socket messages" ||
	problem "man unixcap: $(head -c 300 "$work/man.err")"
for opt in $(unixcap --help | grep -oE '^  (-[A-Za-z], )?--?[a-zA-Z][-a-zA-Z]*' | grep -oE -- '--?[a-zA-Z][-a-zA-Z]*$'); do
	echo "$page" | grep -qe "$opt" || problem "man page lacks $opt"
done
for section in OPTIONS EXAMPLES FIELDS DECODERS; do
	echo "$page" | grep -q "^$section" || problem "man page lacks $section"
done
# Wireshark (as root: its global directories) loads the dissector and runs the extcap.
tshark -G protocols 2>/dev/null | grep -q "unixcap" || problem "tshark does not load the plugin"
tshark -D 2>/dev/null | grep -q "unixcap (Unix domain sockets (unixcap))" ||
	problem "tshark -D does not list the extcap: $(tshark -D 2>&1 | tail -3)"
# Root captures through the installed extcap (tests/privileges has the group members):
# a socket pair's messages, unixcap.* fields from the installed plugin.
python3 -c '
import socket, time
a, b = socket.socketpair()
while True:
    a.send(b"uc-package"); b.recv(100); time.sleep(0.2)
' &
sender=$!
(cd "$work" && tshark -n -i unixcap -a duration:8 -o "extcap.unixcap.pid:$sender" \
	-w "$work/root.pcapng" >"$work/root.log" 2>&1)
rc=$?
kill $sender
n=$(tshark -n -r "$work/root.pcapng" -Y "unixcap.pid == $sender" -T fields -e unixcap.pid \
	2>/dev/null | grep -c "^$sender$")
[ $rc = 0 ] && [ "$n" -ge 10 ] ||
	problem "tshark -i unixcap as root: exit $rc, $n packets: $(grep -v Capturing "$work/root.log" | head -c 300)"
echo "tshark -i unixcap as root: $n packets of pid $sender"
# Completion: the function answers for an option value.
comp=$(bash -c 'source /usr/share/bash-completion/completions/unixcap
	COMP_WORDS=(unixcap --backend t); COMP_CWORD=2; _unixcap; echo "${COMPREPLY[*]}"')
[ "$comp" = "tracepoint" ] || problem "completion of --backend t: '$comp'"

dpkg -r unixcap >"$work/remove.log" 2>&1 || problem "dpkg -r: $(tail -3 "$work/remove.log")"
# postrm keeps the package known (config-files) until purged: purge, as a clean machine was.
dpkg -P unixcap >>"$work/remove.log" 2>&1 || problem "dpkg -P: $(tail -3 "$work/remove.log")"
installed=0
dpkg-statoverride --list /usr/sbin/unixcap >/dev/null && problem "dpkg -r left the statoverride"
[ $had_group = 0 ] && groupdel unixcap 2>/dev/null # postrm keeps it, as Debian does
for f in /usr/sbin/unixcap $ws/extcap/unixcap $ws/plugins/unixcap.lua; do
	[ -e "$f" ] && problem "$f left after dpkg -r"
done
[ $fail = 0 ] && echo "ok package: $(basename "$deb")"
exit $fail
