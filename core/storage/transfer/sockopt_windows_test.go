package transfer_test

import "syscall"

// smallReceiveBuffer gives the socket fd a 16 KiB receive buffer.
func smallReceiveBuffer(fd uintptr) {
	syscall.SetsockoptInt(syscall.Handle(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
}
