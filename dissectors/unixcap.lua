-- Wireshark/tshark dissector for unixcap captures: AF_UNIX messages with the unixcap
-- link-type header (version 1, docs/linktype.md), written to LINKTYPE_USER0..15.
--
-- Use: tshark -X lua_script:dissectors/unixcap.lua -r capture.pcapng
--      or copy this file to ~/.local/lib/wireshark/plugins/
-- Preferences (Edit > Preferences > Protocols > unixcap, or -o unixcap.NAME:VALUE):
--   linktype     the LINKTYPE_USERn the captures use (147..162, default 147 = USER0)
--   dissectors   path=dissector;... payload decoders by socket path, e.g.
--                "/run/foo.sock=http;@bar=json" (either end's path; * matches any run of
--                characters). These win over the built-in choices.

local proto = Proto("unixcap", "Unix domain socket message (unixcap)")

-- Bit tests. Wireshark up to 4.2 embeds Lua 5.2, which has bit32; 4.4 and later (Debian 13
-- on) embed Lua 5.4, which has no bit32 and whose native `&` would not even parse under 5.2.
-- Every Wireshark with Lua also ships the BitOp library as the global `bit`. Its band
-- returns a signed 32-bit number, so results are only ever compared with 0.
local band = (rawget(_G, "bit32") or rawget(_G, "bit")).band

local HEADER_LEN = 392
local PATH_MAX = 108
local FD_ENTRY_FIXED = 32

local types = { [1] = "stream", [2] = "dgram", [5] = "seqpacket" }
local backends = { [0] = "none", [1] = "fentry", [2] = "kprobe", [3] = "tracepoint" }
local calls = {
	[0] = "unknown", [1] = "write", [2] = "writev", [3] = "sendto", [4] = "sendmsg",
	[5] = "sendmmsg", [6] = "unix_stream_sendmsg", [7] = "unix_dgram_sendmsg",
	[8] = "recvmsg",
}
local fd_kinds = { [0] = "unknown", [1] = "path", [2] = "anon", [3] = "pipe", [4] = "socket" }
-- The errno names unixcap's console writer knows (writers/format.c), same spelling.
local errnos = {
	[0] = "none",
	[11] = "EAGAIN", [32] = "EPIPE", [111] = "ECONNREFUSED", [2] = "ENOENT",
	[90] = "EMSGSIZE", [105] = "ENOBUFS", [104] = "ECONNRESET", [107] = "ENOTCONN",
	[4] = "EINTR", [22] = "EINVAL", [14] = "EFAULT", [1] = "EPERM", [13] = "EACCES",
	[12] = "ENOMEM", [89] = "EDESTADDRREQ", [106] = "EISCONN", [95] = "EOPNOTSUPP",
}
-- Flag bits, in the order the summary line lists them.
local flag_names = {
	{ 0x00001, "error" }, { 0x00002, "pages" }, { 0x00004, "unreadable" },
	{ 0x00008, "seg-limit" }, { 0x00010, "kernel-mem" }, { 0x00020, "dest-addr" },
	{ 0x00040, "recv" }, { 0x00080, "creds" }, { 0x00100, "fds-lost" }, { 0x00200, "pidfd" },
	{ 0x00400, "ctl-skipped" }, { 0x00800, "peer-unknown" },
	{ 0x10000, "truncated" }, { 0x20000, "gap" },
}
local F_ERROR, F_RECEIVE, F_CREDS, F_TRUNCATED = 0x1, 0x40, 0x80, 0x10000

local f = {
	version = ProtoField.uint8("unixcap.version", "Header version", base.DEC),
	backend = ProtoField.uint8("unixcap.backend", "Backend", base.DEC, backends),
	header_len = ProtoField.uint16("unixcap.header_len", "Header length", base.DEC),
	flags = ProtoField.uint32("unixcap.flags", "Flags", base.HEX),
	flag_error = ProtoField.bool("unixcap.flags.error", "Send failed", 32, nil, 0x00001),
	flag_pages = ProtoField.bool("unixcap.flags.pages", "Payload in pages, not copied", 32, nil, 0x00002),
	flag_unreadable = ProtoField.bool("unixcap.flags.unreadable", "Copy faulted", 32, nil, 0x00004),
	flag_seg_limit = ProtoField.bool("unixcap.flags.seg_limit", "Too many segments", 32, nil, 0x00008),
	flag_kernel_mem = ProtoField.bool("unixcap.flags.kernel_mem", "Kernel buffer", 32, nil, 0x00010),
	flag_dest_addr = ProtoField.bool("unixcap.flags.dest_addr", "Peer path from msg_name", 32, nil, 0x00020),
	flag_truncated = ProtoField.bool("unixcap.flags.truncated", "Truncated", 32, nil, 0x10000),
	flag_gap = ProtoField.bool("unixcap.flags.gap", "Records lost", 32, nil, 0x20000),
	flag_recv = ProtoField.bool("unixcap.flags.receive", "Receive (fds installed)", 32, nil, F_RECEIVE),
	flag_creds = ProtoField.bool("unixcap.flags.creds", "SCM_CREDENTIALS", 32, nil, F_CREDS),
	flag_fds_lost = ProtoField.bool("unixcap.flags.fds_lost", "Passed fds lost", 32, nil, 0x00100),
	flag_pidfd = ProtoField.bool("unixcap.flags.pidfd", "SCM_PIDFD", 32, nil, 0x00200),
	flag_ctl_skipped = ProtoField.bool("unixcap.flags.ctl_skipped", "Control data not decoded", 32, nil, 0x00400),
	flag_peer_unknown = ProtoField.bool("unixcap.flags.peer_unknown", "Receiving socket not seen", 32, nil, 0x00800),
	msg_id = ProtoField.uint64("unixcap.msg_id", "Message id", base.DEC),
	pid = ProtoField.uint32("unixcap.pid", "PID", base.DEC),
	tid = ProtoField.uint32("unixcap.tid", "TID", base.DEC),
	uid = ProtoField.uint32("unixcap.uid", "UID", base.DEC),
	gid = ProtoField.uint32("unixcap.gid", "GID", base.DEC),
	cgroup = ProtoField.uint64("unixcap.cgroup", "Cgroup id", base.DEC),
	sock = ProtoField.uint64("unixcap.sock", "Socket", base.HEX),
	inode = ProtoField.uint64("unixcap.inode", "Inode", base.DEC),
	peer_sock = ProtoField.uint64("unixcap.peer.sock", "Peer socket", base.HEX),
	peer_inode = ProtoField.uint64("unixcap.peer.inode", "Peer inode", base.DEC),
	peer_pid = ProtoField.uint32("unixcap.peer.pid", "Peer PID", base.DEC),
	len = ProtoField.uint32("unixcap.len", "Length", base.DEC),
	caplen = ProtoField.uint32("unixcap.caplen", "Captured payload", base.DEC),
	errno = ProtoField.int32("unixcap.errno", "errno", base.DEC, errnos),
	sockfd = ProtoField.int32("unixcap.sockfd", "Socket fd", base.DEC),
	type = ProtoField.uint16("unixcap.type", "Type", base.DEC, types),
	call = ProtoField.uint8("unixcap.call", "Call", base.DEC, calls),
	comm = ProtoField.string("unixcap.comm", "Command"),
	peer_comm = ProtoField.string("unixcap.peer.comm", "Peer command"),
	path = ProtoField.string("unixcap.path", "Path"),
	peer_path = ProtoField.string("unixcap.peer.path", "Peer path"),
	cred_pid = ProtoField.uint32("unixcap.creds.pid", "SCM_CREDENTIALS pid", base.DEC),
	cred_uid = ProtoField.uint32("unixcap.creds.uid", "SCM_CREDENTIALS uid", base.DEC),
	cred_gid = ProtoField.uint32("unixcap.creds.gid", "SCM_CREDENTIALS gid", base.DEC),
	sender_pid = ProtoField.uint32("unixcap.sender.pid", "Sender PID (linked receive)", base.DEC),
	sender_tid = ProtoField.uint32("unixcap.sender.tid", "Sender TID (linked receive)", base.DEC),
	sender_id = ProtoField.uint64("unixcap.sender.msg_id", "Sender message id", base.DEC),
	fd_area_len = ProtoField.uint32("unixcap.fd_area_len", "fd area length", base.DEC),
	n_fds = ProtoField.uint16("unixcap.n_fds", "fd entries", base.DEC),
	fds_passed = ProtoField.uint16("unixcap.fds_passed", "Files passed", base.DEC),
	ts = ProtoField.absolute_time("unixcap.ts", "Time", base.UTC),
	fd = ProtoField.int32("unixcap.fd", "Passed fd", base.DEC),
	fd_peer = ProtoField.int32("unixcap.fd.peer", "Same file's fd at the other end", base.DEC),
	fd_send = ProtoField.int32("unixcap.fd.send", "Passed fd in the sender", base.DEC),
	fd_recv = ProtoField.int32("unixcap.fd.recv", "Passed fd in the receiver", base.DEC),
	fd_file = ProtoField.uint64("unixcap.fd.file", "struct file", base.HEX),
	fd_ino = ProtoField.uint64("unixcap.fd.inode", "Passed file inode", base.DEC),
	fd_mode = ProtoField.uint32("unixcap.fd.mode", "Passed file mode", base.OCT),
	fd_kind = ProtoField.uint8("unixcap.fd.kind", "Passed file kind", base.DEC, fd_kinds),
	fd_name = ProtoField.string("unixcap.fd.name", "Passed fd name"),
	payload = ProtoField.bytes("unixcap.payload", "Payload"),
	auth = ProtoField.string("unixcap.dbus_auth", "D-Bus authentication line"),
}
proto.fields = {}
for _, field in pairs(f) do
	table.insert(proto.fields, field)
end

local ef = {
	malformed = ProtoExpert.new("unixcap.malformed", "Malformed unixcap header",
		expert.group.MALFORMED, expert.severity.ERROR),
	partial = ProtoExpert.new("unixcap.dbus_partial",
		"D-Bus message continues in a later packet", expert.group.REASSEMBLE,
		expert.severity.NOTE),
	truncated = ProtoExpert.new("unixcap.truncated", "Payload truncated",
		expert.group.SEQUENCE, expert.severity.NOTE),
}
proto.experts = { ef.malformed, ef.partial, ef.truncated }

proto.prefs.linktype = Pref.uint("Link type", 147,
	"LINKTYPE_USERn of unixcap captures (147..162)")
proto.prefs.dissectors = Pref.string("Payload dissectors by path", "",
	"path=dissector pairs separated by ';', e.g. /run/foo.sock=http;@bar=json")

-- Display form of bytes, as unixcap prints them: printable ASCII as is, '\' doubled,
-- anything else \xNN.
local function escape(s)
	return (s:gsub(".", function(c)
		local b = c:byte()
		if c == "\\" then
			return "\\\\"
		end
		if b < 32 or b > 126 then
			return string.format("\\x%02x", b)
		end
	end))
end

-- A sun_path of len bytes in display form: abstract names as @name.
local function path_text(raw, len)
	if len == 0 then
		return ""
	end
	raw = raw:sub(1, len)
	if raw:byte(1) == 0 then
		return "@" .. escape(raw:sub(2))
	end
	local nul = raw:find("\0", 1, true)
	if nul then
		raw = raw:sub(1, nul - 1)
	end
	return escape(raw)
end

local function cstring(raw)
	local nul = raw:find("\0", 1, true)
	return escape(nul and raw:sub(1, nul - 1) or raw)
end

local function flags_text(flags)
	local names = {}
	for _, fl in ipairs(flag_names) do
		if band(flags, fl[1]) ~= 0 then
			table.insert(names, fl[2])
		end
	end
	return table.concat(names, " ")
end

local function hex_addr(u64)
	local h = u64:tohex():gsub("^0+", "")
	return "0x" .. (h == "" and "0" or h)
end

------------------------------------------------------------------------------------------
-- Payload routing

local wtap_table = DissectorTable.get("wtap_encap")
local function find_dissector(name)
	if name == "dbus" then
		-- Not registered by name in 4.0; reachable through its wiretap encapsulation.
		return wtap_table:get_dissector(wtap_encaps.DBUS)
	end
	local ok, d = pcall(Dissector.get, name)
	if ok then
		return d
	end
	return nil
end
local data_dissector = find_dissector("data")
local dbus_dissector = find_dissector("dbus")

local user_map = {}
local function parse_user_map(text)
	local map = {}
	for item in (text or ""):gmatch("[^;]+") do
		local p, name = item:match("^%s*(.-)%s*=%s*(.-)%s*$")
		if p and p ~= "" and name ~= "" then
			-- '*' is the only wildcard; everything else matches literally.
			local pat = "^" .. p:gsub("[%^%$%(%)%%%.%[%]%+%-%?]", "%%%0"):gsub("%*", ".*") .. "$"
			table.insert(map, { pat = pat, name = name })
		end
	end
	return map
end

local http_methods = { "GET ", "POST ", "PUT ", "DELETE ", "HEAD ", "PATCH ", "OPTIONS ",
	"CONNECT ", "TRACE ", "HTTP/1." }

local function starts_http(tvb)
	local n = math.min(tvb:len(), 8)
	local head = tvb:raw(0, n)
	for _, m in ipairs(http_methods) do
		if head:sub(1, #m) == m then
			return true
		end
	end
	return false
end

local function is_dbus_path(p)
	return p == "/run/dbus/system_bus_socket" or p == "/var/run/dbus/system_bus_socket"
		or p:match("^/run/user/%d+/bus$") ~= nil or p:find("dbus", 1, true) ~= nil
end

local function is_http_path(p)
	return p:find("docker.sock", 1, true) ~= nil or p:find("containerd.sock", 1, true) ~= nil
end

-- "dbus", "http", a user-chosen dissector name, or nil (data).
local function choose(paths, payload)
	for _, p in ipairs(paths) do
		for _, e in ipairs(user_map) do
			if p:match(e.pat) then
				return e.name
			end
		end
	end
	for _, p in ipairs(paths) do
		if is_dbus_path(p) then
			return "dbus"
		end
	end
	for _, p in ipairs(paths) do
		if is_http_path(p) or (p:sub(-5) == ".sock" and starts_http(payload)) then
			return "http"
		end
	end
	return nil
end

-- D-Bus over a stream: SASL text lines first, then binary messages, several per write.
local function dbus_binary_at(tvb, off)
	if tvb:len() - off < 16 then
		return false
	end
	local e, t, v = tvb(off, 1):uint(), tvb(off + 1, 1):uint(), tvb(off + 3, 1):uint()
	return (e == 0x6c or e == 0x42) and t >= 1 and t <= 4 and v == 1
end

local function dbus_message_len(tvb, off)
	local little = tvb(off, 1):uint() == 0x6c
	local function u32(o)
		return little and tvb(o, 4):le_uint() or tvb(o, 4):uint()
	end
	local body = u32(off + 4)
	local fields = u32(off + 12)
	local head = 16 + fields
	head = head + (8 - head % 8) % 8
	return head + body
end

-- A D-Bus message split across sends: per sending socket, the bytes of a message still to
-- come (first pass, in file order), and per frame how many leading bytes continue it.
local dbus_owed, dbus_cont = {}, {}
function proto.init()
	dbus_owed, dbus_cont = {}, {}
end

local function dissect_dbus(tvb, pinfo, tree, sock, sent_len)
	local off, n = 0, tvb:len()
	local cont = dbus_cont[pinfo.number]
	if not pinfo.visited or cont == nil then
		cont = math.min(dbus_owed[sock] or 0, sent_len)
		dbus_cont[pinfo.number] = cont
		dbus_owed[sock] = (dbus_owed[sock] or 0) - cont
	end
	if cont > 0 then
		local item = tree:add(proto, tvb(0, math.min(cont, n)),
			"Continuation of a D-Bus message from an earlier packet (" .. cont .. " bytes)")
		item:add_proto_expert_info(ef.partial)
		pinfo.cols.info:append("D-Bus message continued (" .. cont .. " bytes)")
		if cont >= n then
			return
		end
		pinfo.cols.info:append(", ")
		off = cont
	elseif n > 0 and tvb(0, 1):uint() == 0 then
		-- The credentials byte that starts every client connection.
		off = 1
	end
	local auth
	local auth_lines = 0
	if off == 1 and n == 1 then
		pinfo.cols.info:append("D-Bus credentials byte")
	end
	while off < n and not dbus_binary_at(tvb, off) do
		local rest = tvb:raw(off, n - off)
		local eol = rest:find("\r\n", 1, true)
		local line_len = eol and (eol + 1) or (n - off)
		local text = rest:sub(1, eol and eol - 1 or #rest)
		if text:find("[^\t\32-\126]") then
			-- Not SASL text: bytes of a message whose start this capture does not have.
			tree:add(proto, tvb(off), "D-Bus bytes not at a message start")
			data_dissector:call(tvb(off):tvb(), pinfo, tree)
			return
		end
		auth = auth or tree:add(proto, tvb(off), "D-Bus authentication")
		auth:add(f.auth, tvb(off, line_len), escape(text))
		pinfo.cols.info:append((auth_lines > 0 and ", " or "") .. escape(text))
		auth_lines = auth_lines + 1
		off = off + line_len
		if not eol then
			return
		end
	end
	while off < n do
		if not dbus_binary_at(tvb, off) then
			data_dissector:call(tvb(off):tvb(), pinfo, tree)
			return
		end
		local len = dbus_message_len(tvb, off)
		if len > n - off then
			local item = tree:add(proto, tvb(off), "Start of a D-Bus message")
			item:add_proto_expert_info(ef.partial)
			pinfo.cols.info:append("D-Bus message begins (" .. (sent_len - off) .. " of " ..
				len .. " bytes), continues in a later packet")
			if not pinfo.visited then
				dbus_owed[sock] = len - (sent_len - off)
			end
			data_dissector:call(tvb(off):tvb(), pinfo, tree)
			return
		end
		dbus_dissector:call(tvb(off, len):tvb(), pinfo, tree)
		off = off + len
	end
end

-- The dissector for a payload, and its name ("data" when nothing more specific applies).
local function route(tvb, paths)
	local name = choose(paths, tvb)
	if name == "dbus" then
		if dbus_dissector then
			return dbus_dissector, name
		end
	elseif name then
		local d = find_dissector(name)
		if d then
			return d, name
		end
	end
	return data_dissector, "data"
end

------------------------------------------------------------------------------------------

local function malformed(tree, tvb, why)
	local item = tree:add(proto, tvb(), "unixcap: " .. why)
	item:add_proto_expert_info(ef.malformed, why)
	return tvb:len()
end

function proto.dissector(tvb, pinfo, tree)
	local caplen = tvb:len()
	pinfo.cols.protocol = "unixcap"
	if caplen < HEADER_LEN then
		return malformed(tree, tvb, "packet shorter than the 392-byte header")
	end
	local version = tvb(0, 1):uint()
	local header_len = tvb(2, 2):le_uint()
	if version ~= 1 then
		return malformed(tree, tvb, "unknown header version " .. version)
	end
	if header_len < HEADER_LEN or header_len > caplen then
		return malformed(tree, tvb, "bad header_len " .. header_len)
	end
	local fd_area_len = tvb(360, 4):le_uint()
	local n_fds = tvb(364, 2):le_uint()
	local path_len = tvb(92, 2):le_uint()
	local peer_path_len = tvb(94, 2):le_uint()
	if path_len > PATH_MAX or peer_path_len > PATH_MAX then
		return malformed(tree, tvb, "path length over 108")
	end
	if fd_area_len > caplen - header_len then
		return malformed(tree, tvb, "fd area beyond the captured bytes")
	end
	local payload_off = header_len + fd_area_len
	local payload_len = caplen - payload_off
	local len = tvb(76, 4):le_uint()
	if payload_len > len then
		return malformed(tree, tvb, "more payload bytes than the original length")
	end

	local flags = tvb(4, 4):le_uint()
	local pid, tid = tvb(16, 4):le_uint(), tvb(20, 4):le_uint()
	local peer_pid = tvb(72, 4):le_uint()
	local err = tvb(80, 4):le_int()
	local typ = tvb(88, 2):le_uint()
	local comm = cstring(tvb:raw(96, 16))
	local peer_comm = cstring(tvb:raw(112, 16))
	local path = path_text(tvb:raw(128, PATH_MAX), path_len)
	local peer_path = path_text(tvb:raw(236, PATH_MAX), peer_path_len)

	local t = tree:add(proto, tvb(0, payload_off), "unixcap")
	t:add(f.version, tvb(0, 1))
	t:add(f.backend, tvb(1, 1))
	t:add_le(f.header_len, tvb(2, 2))
	local ft = t:add_le(f.flags, tvb(4, 4))
	for _, bitf in ipairs({ f.flag_error, f.flag_pages, f.flag_unreadable, f.flag_seg_limit,
		f.flag_kernel_mem, f.flag_dest_addr, f.flag_recv, f.flag_creds, f.flag_fds_lost,
		f.flag_pidfd, f.flag_ctl_skipped, f.flag_peer_unknown, f.flag_truncated, f.flag_gap }) do
		ft:add_le(bitf, tvb(4, 4))
	end
	t:add_le(f.msg_id, tvb(8, 8))
	t:add_le(f.pid, tvb(16, 4))
	t:add_le(f.tid, tvb(20, 4))
	t:add_le(f.uid, tvb(24, 4))
	t:add_le(f.gid, tvb(28, 4))
	t:add(f.comm, tvb(96, 16), comm)
	t:add_le(f.cgroup, tvb(32, 8))
	t:add_le(f.sock, tvb(40, 8))
	t:add_le(f.inode, tvb(48, 8))
	t:add_le(f.type, tvb(88, 2))
	t:add(f.path, tvb(128, PATH_MAX), path)
	t:add_le(f.peer_sock, tvb(56, 8))
	t:add_le(f.peer_inode, tvb(64, 8))
	t:add_le(f.peer_pid, tvb(72, 4))
	t:add(f.peer_comm, tvb(112, 16), peer_comm)
	t:add(f.peer_path, tvb(236, PATH_MAX), peer_path)
	t:add_le(f.len, tvb(76, 4))
	t:add(f.caplen, tvb(0, 0), payload_len):set_generated()
	t:add(f.errno, tvb(80, 4), -err)
	t:add_le(f.sockfd, tvb(84, 4))
	t:add(f.call, tvb(90, 1))
	if band(flags, F_CREDS) ~= 0 then
		t:add_le(f.cred_pid, tvb(344, 4))
		t:add_le(f.cred_uid, tvb(348, 4))
		t:add_le(f.cred_gid, tvb(352, 4))
	end
	local sender_pid = tvb(356, 4):le_uint()
	if sender_pid ~= 0 then
		t:add_le(f.sender_pid, tvb(356, 4))
		t:add_le(f.sender_tid, tvb(376, 4))
		t:add_le(f.sender_id, tvb(384, 8))
	end
	t:add_le(f.fd_area_len, tvb(360, 4))
	t:add_le(f.n_fds, tvb(364, 2))
	t:add_le(f.fds_passed, tvb(366, 2))
	local ts = tvb(368, 8):le_uint64()
	t:add(f.ts, tvb(368, 8), NSTime.new((ts / 1000000000):tonumber(),
		(ts % 1000000000):tonumber()))
	local receive = band(flags, F_RECEIVE) ~= 0

	-- fd area: exactly n_fds whole entries.
	local off = header_len
	local area_end = header_len + fd_area_len
	for i = 1, n_fds do
		if area_end - off < FD_ENTRY_FIXED then
			return malformed(t, tvb, "fd entry beyond the fd area")
		end
		local name_len = tvb(off + 30, 2):le_uint()
		local size = FD_ENTRY_FIXED + name_len + (4 - name_len % 4) % 4
		if area_end - off < size then
			return malformed(t, tvb, "fd entry beyond the fd area")
		end
		local fd, peer_fd = tvb(off, 4):le_int(), tvb(off + 4, 4):le_int()
		local name = name_len > 0 and escape(tvb:raw(off + FD_ENTRY_FIXED, name_len)) or ""
		local et = t:add(proto, tvb(off, size), "Passed fd " .. fd .. " " .. name)
		et:add_le(f.fd, tvb(off, 4))
		et:add_le(f.fd_peer, tvb(off + 4, 4))
		-- The same numbers by end, so a filter need not know which event it looks at.
		local send_fd, recv_fd = fd, peer_fd
		if receive then
			send_fd, recv_fd = peer_fd, fd
		end
		if send_fd >= 0 then
			et:add(f.fd_send, tvb(off + (receive and 4 or 0), 4), send_fd):set_generated()
		end
		if recv_fd >= 0 then
			et:add(f.fd_recv, tvb(off + (receive and 0 or 4), 4), recv_fd):set_generated()
		end
		et:add_le(f.fd_file, tvb(off + 8, 8))
		et:add_le(f.fd_ino, tvb(off + 16, 8))
		et:add_le(f.fd_mode, tvb(off + 24, 4))
		et:add(f.fd_kind, tvb(off + 28, 1))
		et:add(f.fd_name, tvb(off + FD_ENTRY_FIXED, name_len), name)
		off = off + size
	end
	if off ~= area_end then
		return malformed(t, tvb, "fd area longer than its entries")
	end

	-- Info: the summary line unixcap prints, without the time.
	local peer = "?"
	if peer_pid ~= 0 then
		peer = tostring(peer_pid) .. (peer_comm ~= "" and ("/" .. peer_comm) or "")
	end
	local where
	if path ~= "" and peer_path ~= "" and path ~= peer_path then
		where = path .. " → " .. peer_path
	else
		where = path ~= "" and path or (peer_path ~= "" and peer_path or "-")
	end
	local info = string.format("%u/%u %s → %s %s %s %s len %u", pid, tid,
		comm ~= "" and comm or "?", peer, hex_addr(tvb(40, 8):le_uint64()),
		types[typ] or ("type" .. typ), where, len)
	if payload_len ~= len and not receive then
		info = info .. " caplen " .. payload_len
	end
	local fds_passed = tvb(366, 2):le_uint()
	if fds_passed ~= 0 then
		info = info .. " fds " .. fds_passed
	end
	if band(flags, F_CREDS) ~= 0 then
		info = info .. string.format(" creds %u/%u/%u", tvb(344, 4):le_uint(),
			tvb(348, 4):le_uint(), tvb(352, 4):le_uint())
	end
	if flags ~= 0 then
		info = info .. " [" .. flags_text(flags) .. "]"
	end
	if band(flags, F_ERROR) ~= 0 then
		info = info .. " errno " .. (errnos[-err] or tostring(-err))
	end
	if band(flags, F_TRUNCATED) ~= 0 then
		t:add_proto_expert_info(ef.truncated)
	end
	local payload = payload_len > 0 and tvb(payload_off):tvb() or nil
	if payload then
		t:add(f.payload, tvb(payload_off))
	end
	local dissector, name
	if payload then
		local paths = {}
		if path ~= "" then table.insert(paths, path) end
		if peer_path ~= "" then table.insert(paths, peer_path) end
		dissector, name = route(payload, paths)
	end
	t:append_text(": " .. info)
	-- What the payload's dissector writes goes after the summary, not instead of it.
	if name and name ~= "data" then
		info = info .. " | "
	end
	pinfo.cols.info = info
	pinfo.cols.info:fence()

	if name == "dbus" then
		dissect_dbus(payload, pinfo, tree, tostring(tvb(40, 8):le_uint64()), tvb(76, 4):le_uint())
	elseif payload then
		dissector:call(payload, pinfo, tree)
	end
	return caplen
end

------------------------------------------------------------------------------------------
-- Registration: LINKTYPE_USERn is wiretap encapsulation USER0 + n.

local registered
local function register()
	local lt = proto.prefs.linktype
	if lt < 147 or lt > 162 then
		lt = 147
	end
	local encap = wtap_encaps.USER0 + (lt - 147)
	if registered == encap then
		return
	end
	if registered then
		wtap_table:remove(registered, proto)
	end
	wtap_table:add(encap, proto)
	registered = encap
end

function proto.prefs_changed()
	user_map = parse_user_map(proto.prefs.dissectors)
	register()
end

user_map = parse_user_map(proto.prefs.dissectors)
register()
