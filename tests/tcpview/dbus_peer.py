"""A D-Bus client for the TCP view test: on the bus at SOCKET, Hello (by connecting), a
300 KB signal 'Big' (libdbus writes it in several sends), then Ping to the bus. Prints the
number of messages it sent.  Usage: dbus_peer.py SOCKET"""
import sys

import dbus
import dbus.lowlevel

bus = dbus.bus.BusConnection("unix:path=" + sys.argv[1])
sig = dbus.lowlevel.SignalMessage("/org/unixcap/Test", "org.unixcap.Test", "Big")
sig.append(dbus.String("x" * 300000))
bus.send_message(sig)
bus.call_blocking("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.Peer",
                  "Ping", "", ())
bus.close()
print(3)  # Hello, Big, Ping
