package transfer

import (
	"errors"
	"net"
	"strings"
	"syscall"
)

// ShortNetError names a network failure in a few words, without URLs or
// request details (signed URLs carry credentials): "connection refused",
// "unknown host example.org", "timed out", or the last, most specific
// part of the error's text.
func ShortNetError(err error) string {
	var dns *net.DNSError
	var stall *StallError
	switch {
	case errors.As(err, &stall):
		return stall.Error()
	case errors.As(err, &dns):
		return "unknown host " + dns.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "no route to host"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
