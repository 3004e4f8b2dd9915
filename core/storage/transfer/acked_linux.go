package transfer

import (
	"crypto/tls"
	"net"

	"golang.org/x/sys/unix"
)

// ackedBytes returns how many bytes sent on conn its peer acknowledged,
// from the kernel's TCP_INFO: while it grows, an upload is moving even
// when the sender has nothing left to hand the socket.
func ackedBytes(conn net.Conn) (uint64, bool) {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	tcp, ok := conn.(*net.TCPConn)
	if !ok {
		return 0, false
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return 0, false
	}
	var acked uint64
	var ierr error
	err = raw.Control(func(fd uintptr) {
		var info *unix.TCPInfo
		info, ierr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
		if ierr == nil {
			acked = info.Bytes_acked
		}
	})
	if err != nil || ierr != nil {
		return 0, false
	}
	return acked, true
}
