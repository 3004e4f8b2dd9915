package storage

import (
	"net/http"
	"sync/atomic"
)

// Requests counts the requests a backend made, by kind. For remote backends
// these are billed requests; for local and memory backends they count calls.
type Requests struct {
	Put    int64 `json:"put"`
	Get    int64 `json:"get"`
	Head   int64 `json:"head"`
	List   int64 `json:"list"`
	Delete int64 `json:"delete"`
}

// Total is the sum of all requests.
func (r Requests) Total() int64 { return r.Put + r.Get + r.Head + r.List + r.Delete }

// Sub returns r - o, the requests made since o was taken.
func (r Requests) Sub(o Requests) Requests {
	return Requests{r.Put - o.Put, r.Get - o.Get, r.Head - o.Head, r.List - o.List, r.Delete - o.Delete}
}

// RequestCounter is implemented by backends that count their requests.
type RequestCounter interface {
	Requests() Requests
}

// Counter is a concurrency-safe request counter that backends embed.
type Counter struct {
	put, get, head, list, del atomic.Int64
}

func (c *Counter) AddPut()    { c.put.Add(1) }
func (c *Counter) AddGet()    { c.get.Add(1) }
func (c *Counter) AddHead()   { c.head.Add(1) }
func (c *Counter) AddList()   { c.list.Add(1) }
func (c *Counter) AddDelete() { c.del.Add(1) }

// AddHTTP counts one HTTP request by its method: a GET as a get, or as a
// list when list is set (the caller knows its protocol's listings); a
// HEAD as a head; a DELETE as a delete; any other (PUT, POST, PATCH) as a
// put.
func (c *Counter) AddHTTP(method string, list bool) {
	switch method {
	case http.MethodGet:
		if list {
			c.AddList()
		} else {
			c.AddGet()
		}
	case http.MethodHead:
		c.AddHead()
	case http.MethodDelete:
		c.AddDelete()
	default:
		c.AddPut()
	}
}

// Requests returns the counts so far.
func (c *Counter) Requests() Requests {
	return Requests{c.put.Load(), c.get.Load(), c.head.Load(), c.list.Load(), c.del.Load()}
}
